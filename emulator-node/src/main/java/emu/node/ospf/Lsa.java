package emu.node.ospf;

import emu.node.wire.OspfLsa;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/** One LSA instance in the database: its bytes as received or originated, and when it went in. */
final class Lsa {
  /** A database key: LS type, Link State ID, advertising router (RFC 2328 12.1). */
  record Key(int type, int id, int adv) {}

  final Key key;
  final byte[] bytes;
  final int seq;
  final int checksum;
  final int ageAtInstall;
  final long installedNanos;
  final OspfLsa.Repr repr;
  boolean maxAgeFlooded;

  Lsa(byte[] bytes, int ageAtInstall, long installedNanos) {
    this.bytes = bytes;
    ByteBuf b = Unpooled.wrappedBuffer(bytes);
    OspfLsa v = new OspfLsa().wrap(b, 0, bytes.length);
    this.key = new Key(v.type(), v.linkStateId(), v.advertisingRouter());
    this.seq = v.sequence();
    this.checksum = v.checksum();
    this.ageAtInstall = Math.min(OspfLsa.MAX_AGE, ageAtInstall);
    this.installedNanos = installedNanos;
    this.repr = OspfLsa.Repr.parse(v);
    this.maxAgeFlooded = this.ageAtInstall >= OspfLsa.MAX_AGE;
  }

  int age(long now) {
    if (ageAtInstall >= OspfLsa.MAX_AGE) {
      return OspfLsa.MAX_AGE;
    }
    long a = ageAtInstall + (now - installedNanos) / 1_000_000_000L;
    return (int) Math.min(OspfLsa.MAX_AGE, a);
  }

  OspfLsa.Header header(long now) {
    return new OspfLsa.Header(age(now), bytes[OspfLsa.OPTIONS] & 0xFF, key.type, key.id, key.adv, seq, checksum,
        bytes.length);
  }

  /** How the instance {@code h} names compares with this one (13.1): positive if {@code h} is the newer. */
  int compareWith(OspfLsa.Header h, long now) {
    return OspfLsa.compareInstances(h.sequence(), h.checksum(), h.age(), seq, checksum, age(now));
  }

  boolean sameBody(Lsa o) {
    return o != null && bytes[OspfLsa.OPTIONS] == o.bytes[OspfLsa.OPTIONS]
        && Arrays.equals(bytes, OspfLsa.HEADER_LEN, bytes.length, o.bytes, OspfLsa.HEADER_LEN, o.bytes.length);
  }
}
