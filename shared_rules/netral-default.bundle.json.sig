{
  "signatures": [
    {
      "keyid": "7874529b5067450b737d4e4fe0503b29f9d69fcc760adde336610cb1548ce162",
      "sig": "5lHOADgEB0vu1wewZsaVAWyXQrW5glIksrsa5R4Vr3VTJM8PxwSK7s8BH5pHlf22pN/72zmdJECbm6cYcZ/8Cw=="
    }
  ]
}
