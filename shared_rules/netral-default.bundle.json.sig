{
  "signatures": [
    {
      "keyid": "7874529b5067450b737d4e4fe0503b29f9d69fcc760adde336610cb1548ce162",
      "sig": "0Gsxd6r27ThUJxnZKZhGwPzfpH5kc8iLTLetjKDRDI0/FQk5AjFIwNGMeHnFPYoh5rzHREOFa2XapjjrED6RAg=="
    }
  ]
}
