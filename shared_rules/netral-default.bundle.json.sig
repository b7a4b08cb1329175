{
  "signatures": [
    {
      "keyid": "7874529b5067450b737d4e4fe0503b29f9d69fcc760adde336610cb1548ce162",
      "sig": "q76dkJ6Gx3xtC/jT+w50kZeaUlfrTc5ovg1SLEDTAnfH1CHq6G3ISJMyFEKEICgV0kWSoHW6QXTxPAWO29uiBg=="
    }
  ]
}
