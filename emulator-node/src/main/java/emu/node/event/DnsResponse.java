package emu.node.event;

import java.util.List;

/**
 * What a DNS response says: its {@code rcode} (a mnemonic, {@code NOERROR}, {@code NXDOMAIN},
 * {@code BADVERS}), its {@code outcome}, the RRsets of its answer section ({@code answer}), and
 * for a referral the NS RRset of its authority section ({@code referral}, else null).
 */
public record DnsResponse(String rcode, Outcome outcome, List<DnsRrset> answer, DnsRrset referral) {
  /** The kind of answer. */
  public enum Outcome {
    /** NOERROR with records in the answer section. */
    ANSWER,
    /** The name does not exist. */
    NXDOMAIN,
    /** NOERROR, the name exists but has no records of the type asked, and no referral. */
    NODATA,
    /** NOERROR, no answer, NS records in the authority section: ask the servers of a zone below. */
    REFERRAL,
    /** Any other rcode (SERVFAIL, REFUSED, FORMERR...). */
    ERROR
  }
}
