{
  "signatures": [
    {
      "keyid": "7874529b5067450b737d4e4fe0503b29f9d69fcc760adde336610cb1548ce162",
      "sig": "DB+++nWPEJa6bJJDefx1yHzLdHIkI91iC3ogQLIUV091MmEptpm6DQjkDW/PABV70FDj3s2lg2SnYYJZoGv9Ag=="
    }
  ]
}
