package emu.node.wire;

/**
 * Golden OSPFv2 packets, laid out by hand field by field from RFC 2328 appendix A. The
 * checksums were computed by a separate reference (a plain RFC 1071 sum and a plain RFC 905
 * annex B Fletcher written in Python, sharing nothing with {@link Checksum} or {@link Fletcher});
 * tshark 4.0 reads every packet checksum here as correct ({@link OspfTsharkTest}). Router 1.1.1.1,
 * area 0.0.0.0, null authentication throughout.
 */
final class OspfGolden {
  private OspfGolden() {}

  /** version 2, type, length, router ID 1.1.1.1, area 0, checksum, AuType 0, 8 zero bytes of authentication. */
  static String header(int type, int length, String checksum) {
    return String.format("02%02x%04x", type, length) + "01010101" + "00000000" + checksum + "0000" + "0000000000000000";
  }

  /**
   * Hello: mask 255.255.255.0, HelloInterval 10, options E, priority 1, RouterDeadInterval 40,
   * DR 10.0.0.1, BDR 0.0.0.0, one neighbour 2.2.2.2. 48 bytes.
   */
  static final String HELLO = header(1, 48, "ec93")
      + "ffffff00" + "000a" + "02" + "01" + "00000028" + "0a000001" + "00000000" + "02020202";

  /**
   * Router-LSA of 1.1.1.1: age 1, options E, type 1, LSID = advertising router = 1.1.1.1,
   * sequence 0x80000001 (InitialSequenceNumber), Fletcher 0xf1de, length 60; flags 0, three links:
   * point-to-point to 2.2.2.2 from 10.0.12.1 metric 10, stub 10.0.12.0/255.255.255.252 metric 10,
   * transit to the DR 10.0.0.1 from 10.0.0.1 metric 1.
   */
  static final String ROUTER_LSA = "0001" + "02" + "01" + "01010101" + "01010101" + "80000001" + "f1de" + "003c"
      + "00" + "00" + "0003"
      + "02020202" + "0a000c01" + "01" + "00" + "000a"
      + "0a000c00" + "fffffffc" + "03" + "00" + "000a"
      + "0a000001" + "0a000001" + "02" + "00" + "0001";

  /**
   * Network-LSA of the DR 10.0.0.1 (advertised by 1.1.1.1): age 1, options E, sequence 0x80000005,
   * Fletcher 0x988a, length 36; mask /24, attached 1.1.1.1, 3.3.3.3, 4.4.4.4.
   */
  static final String NETWORK_LSA = "0001" + "02" + "02" + "0a000001" + "01010101" + "80000005" + "988a" + "0024"
      + "ffffff00" + "01010101" + "03030303" + "04040404";

  /** LS Update carrying the two LSAs above: # LSAs 2. 124 bytes. */
  static final String LS_UPDATE = header(4, 124, "0372") + "00000002" + ROUTER_LSA + NETWORK_LSA;

  /** First DD of an exchange: MTU 1500, options E, I|M|MS, sequence 0x12345678, no headers. 32 bytes. */
  static final String DD_INIT = header(2, 32, "8b4c") + "05dc" + "02" + "07" + "12345678";

  /** A slave's DD during the exchange: M set, I and MS clear, sequence 0x12345679, the two LSA headers. 72 bytes. */
  static final String DD_HEADERS = header(2, 72, "ec4b") + "05dc" + "02" + "02" + "12345679"
      + ROUTER_LSA.substring(0, 40) + NETWORK_LSA.substring(0, 40);

  /** LS Request for the router-LSA of 1.1.1.1 and the network-LSA 10.0.0.1. 48 bytes. */
  static final String LS_REQUEST = header(3, 48, "ebc0")
      + "00000001" + "01010101" + "01010101"
      + "00000002" + "0a000001" + "01010101";

  /** LS Ack of the two LSA headers. 64 bytes. */
  static final String LS_ACK = header(5, 64, "5cdc") + ROUTER_LSA.substring(0, 40) + NETWORK_LSA.substring(0, 40);
}
