{
  "signatures": [
    {
      "keyid": "7874529b5067450b737d4e4fe0503b29f9d69fcc760adde336610cb1548ce162",
      "sig": "k69OJ6De1skhIcu8XOpacxrqo3Mbbp/ONPSYu5Y4u4Vm/y6BaatOt6ZYBVKY95mRGcFu1+ua5PTtDa7KLRf6Bw=="
    }
  ]
}
