/**
 * OSPFv2 (RFC 2328) on emu routers, backbone area 0.0.0.0 only: the protocol machine
 * ({@link emu.node.ospf.Ospf}), its counters ({@link emu.node.ospf.OspfCounters}) and the
 * shortest-path calculation ({@link emu.node.ospf.Spf}, RFC 2328 16.1). The wire formats live in
 * {@code emu.node.wire} (OspfPacket, OspfLsa and their kin). This package knows the wire and the
 * stack, never the host, the management plane or the shell (ArchitectureTest): the host starts
 * an {@code Ospf}, and turns what its {@link emu.node.ospf.Ospf.Listener} is told (values) into
 * trace events.
 *
 * <h2>What runs</h2>
 * <ul>
 *   <li>Interfaces (9.1 to 9.4): Down, Waiting, Point-To-Point, DROther, Backup, DR; network type
 *       broadcast (the default, as FRR on Ethernet) or point-to-point. Hellos to 224.0.0.5 every
 *       HelloInterval, TTL 1, TOS 0xC0, from the interface address; 224.0.0.6 joined while DR or
 *       BDR. DR/BDR election of 9.4 (priority, then router ID compared unsigned; priority 0 never
 *       elected; the second pass when this router's role changes); the Wait timer is
 *       RouterDeadInterval, cut short by BackupSeen.</li>
 *   <li>Neighbours (10.1 to 10.10): Down, Init, 2-Way, ExStart, Exchange, Loading, Full, with the
 *       inactivity timer (RouterDeadInterval) and the events of 10.2, each state change told with
 *       the event that caused it. Hello checks of 10.5 (mask on broadcast networks only, hello and
 *       dead intervals, the E-bit); a mismatch is refused, counted by reason and told.</li>
 *   <li>Database exchange (10.6, 10.8): master/slave by router ID, the DD sequence number (random
 *       at the first ExStart, then incremented), I/M/MS, duplicate detection (the slave answers a
 *       duplicate again), master retransmission every RxmtInterval, SeqNumberMismatch back to
 *       ExStart. The MTU check as FRR does it: a DD whose interface MTU is larger than ours is
 *       refused (counted MTU_MISMATCH, the adjacency stays in ExStart, as FRR's does).</li>
 *   <li>LS Requests (10.9) as many as one packet holds, the next when those have arrived,
 *       retransmitted every RxmtInterval; BadLSReq for a request we do not have.</li>
 *   <li>Flooding (13 to 13.7): the comparison of 13.1, MinLSArrival (1 s, our own LSAs exempted
 *       so that 13.4 can outdo them), flooding out of every other adjacency and back out of the
 *       receiving interface when we are DR, per-neighbour retransmission lists resent unicast every
 *       RxmtInterval (5 s), implied acks, delayed acks (1 s, to AllSPFRouters from DR/BDR, else
 *       AllDRouters) and direct acks for duplicates and for MaxAge LSAs we do not have.</li>
 *   <li>Database: keyed by (type, Link State ID, advertising router); the LSA's bytes are kept as
 *       received (TOS metrics and all, so its checksum stays the originator's) and its age is
 *       derived from the install time; types 1 to 5 are kept (3 to 5 flood but are not used in
 *       SPF), others are refused. Bounded at {@link emu.node.ospf.Ospf#MAX_LSAS} LSAs: past it new
 *       LSAs are dropped and counted (LSDB_FULL), newer instances of known ones still go in.</li>
 *   <li>Ageing (14): a 1-second tick floods LSAs that reached MaxAge (3600 s) and removes MaxAge
 *       LSAs once they are on no retransmission list and no neighbour is in Exchange or Loading;
 *       our own LSAs are refreshed at LSRefreshTime (1800 s).</li>
 *   <li>Origination (12.4): the router-LSA (point-to-point: a type-1 link to a Full neighbour and
 *       always a stub for the subnet, as FRR does for numbered links; broadcast: transit if the DR
 *       is Full with us or we are DR with a Full neighbour, else a stub; passive: a stub; Down:
 *       nothing) and, when DR with at least one Full neighbour, the network-LSA (flushed when no
 *       longer so). A new instance only if the body changed (or a refresh, or 13.4), at most one
 *       per MinLSInterval (5 s; a change inside it is deferred to its end). Sequence numbers from
 *       InitialSequenceNumber; at MaxSequenceNumber the LSA is flushed (premature aging) and
 *       originated anew from InitialSequenceNumber once the flush is acknowledged (12.1.6).
 *       A newer instance of our own LSA (13.4, after a restart) is outdone with its sequence
 *       number + 1, or flushed if we no longer originate it.</li>
 *   <li>SPF through {@link emu.node.ospf.Spf}, throttled as FRR's {@code timers throttle spf 0 50
 *       5000}: the first run after 0 ms, then no sooner than the hold time after the last run,
 *       the hold starting at 50 ms and doubling up to 5 s while changes keep coming, reset once a
 *       hold time passes quietly. The root enters SPF as it is now (the router-LSA it would
       originate), not as its last LSA said, so a change waiting out MinLSInterval does not keep
       routes over a lost adjacency. Routes go in with {@code RouteTable.replace(OSPF, ...)}, metric
 *       the path cost, equal-cost paths as one multipath route; routes to the router's own
 *       subnets are left to the connected routes; the table is only touched when a route
 *       changed.</li>
 *   <li>Carrier loss (LinkListener): the interface goes Down at once, its neighbours with it
 *       (LLDown), the router-LSA is re-originated (subject to MinLSInterval) and SPF runs (an
 *       adjacency leaving Full always schedules SPF, so the local reroute does not wait for our new
 *       LSA).</li>
 *   <li>Bad input is refused and counted by reason ({@link emu.node.ospf.OspfCounters.Refusal}):
 *       the wire checks (version, length, type, authentication, checksum, body shape, LSA framing),
 *       area, our own router ID, destination (AllDRouters only while DR/BDR), a source off the
 *       subnet on broadcast networks, unknown neighbours, packets in the wrong neighbour state,
 *       LSAs with bad checksums or impossible lengths. Nothing a neighbour sends throws
 *       (OspfFuzzTest).</li>
 * </ul>
 *
 * <h2>Decisions and deviations</h2>
 * <ul>
 *   <li>Timers: HelloInterval 10 s, RouterDeadInterval 40 s, cost 10, priority 1 by default (FRR on
 *       Ethernet); RxmtInterval 5 s and InfTransDelay 1 s fixed. Hellos are sent up to a tenth of
 *       the interval early (jitter, never late); the first Hello goes within 100 ms of start.</li>
 *   <li>Neighbours are keyed by their source address on every network type (RFC 2328 keys them by
 *       router ID on point-to-point links); a router ID that changes behind an address kills the
 *       old neighbour. A neighbour that goes Down is forgotten (FRR keeps it a while).</li>
 *   <li>Counters ({@link emu.node.ospf.OspfCounters}) are plain fields written on the event loop;
       the node's {@code /metrics} reads them from its own thread (a scrape may be a packet
       behind), including the neighbours by state.</li>
  <li>A stopped instance forgets its database (like a restarted ospfd); starting it again begins
       from InitialSequenceNumber and outdoes its old LSAs when neighbours return them (13.4).</li>
  <li>Package-private test hooks: {@code ownRouterLsaSequence} (to reach MaxSequenceNumber),
       {@code maxLsas} and {@code floodForTest} (a flood of LSAs past a small bound).</li>
  <li>Authentication: null only (AuType 0); others are refused (UNSUPPORTED_AUTH).</li>
 *   <li>Not done: other areas, ABR/ASBR (summary and external LSAs are flooded but not used),
 *       virtual links, NBMA and point-to-multipoint networks, stub areas, opaque LSAs, LLS, graceful
 *       restart, demand circuits, interface address changes while running (restart OSPF), a
 *       network-LSA named by one of our addresses but advertised by another router (13.4's second
 *       case), and the retransmission of the slave's last DD for RouterDeadInterval after Full.</li>
 * </ul>
 */
package emu.node.ospf;
