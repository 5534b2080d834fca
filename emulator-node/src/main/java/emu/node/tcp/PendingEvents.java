package emu.node.tcp;

import io.netty.buffer.ByteBuf;

/**
 * What a connection's application has yet to hear, and the one place that tells it: accept
 * (passive opens), onEstablished, onData in chunks of at most
 * {@link TcpConnection#MAX_DELIVERY_CHUNK} while reading, onPeerFin after all data, onWritable,
 * and onClosed exactly once. Delivery happens at the end of the work that caused the events
 * (segment processing, a timer) or from a task scheduled on the node's clock (API calls), and
 * tolerates the application calling back into the connection from any callback.
 *
 * <p>An orderly close waits until a paused reader has taken its data and the peer's FIN; an
 * error close (or one after the application closed) is delivered at once and drops unread data.
 */
final class PendingEvents {
  private final TcpConnection c;
  /** A passive open completed: ask the listener's acceptor for the event handler. */
  boolean accept;
  boolean established;
  boolean writable;
  private boolean closeQueued;
  private TcpError closeError;
  private boolean establishedNotified;
  private boolean peerFinNotified;
  private boolean closedNotified;
  private boolean delivering;
  private boolean scheduled;

  PendingEvents(TcpConnection c) {
    this.c = c;
  }

  /** Queues onClosed(error) (the first call wins); an error drops unread data, as a socket would. */
  void close(TcpError error) {
    if (!closeQueued) {
      closeQueued = true;
      closeError = error;
      if (error != null) {
        c.recvBuf.clear();
      }
    }
  }

  boolean closeQueued() {
    return closeQueued;
  }

  boolean closedNotified() {
    return closedNotified;
  }

  /** Delivers from a task on the node's clock (never from inside an API call), then announces a reopened window. */
  void schedule() {
    if (!scheduled) {
      scheduled = true;
      c.stack.time().schedule(() -> {
        scheduled = false;
        int before = c.receiveWindow();
        deliver();
        c.layer.output().windowUpdateIfOpened(c, before);
      }, 0);
    }
  }

  /** Tells the application what happened, in order; a re-entrant call returns at once. */
  void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      if (accept) {
        accept = false;
        if (c.state != TcpState.CLOSED) {
          c.layer.counters().accepted++;
          TcpEvents e = c.listener.acceptor().accept(c);
          if (e == null) { // a misbehaving acceptor: nobody would ever read this connection
            c.layer.output().sendReset(c);
            c.terminate(TcpError.ABORTED, TcpCause.NO_HANDLER);
            return;
          }
          c.events = e;
          established = true;
        }
      }
      TcpEvents events = c.events;
      if (events == null) {
        return;
      }
      if (established) {
        established = false;
        if (!establishedNotified && !closedNotified) {
          establishedNotified = true;
          events.onEstablished(c);
        }
      }
      while (c.reading && c.recvBuf.readable() > 0 && !closedNotified) {
        ByteBuf chunk = c.recvBuf.read(c.stack.alloc(), TcpConnection.MAX_DELIVERY_CHUNK);
        c.events.onData(c, chunk);
      }
      if (c.peerFinSeen && !peerFinNotified && c.reading && c.recvBuf.readable() == 0 && !closedNotified
          && closeError == null) {
        peerFinNotified = true;
        c.events.onPeerFin(c);
      }
      if (writable) {
        writable = false;
        if (!closedNotified && !c.outputShut) {
          c.events.onWritable(c);
        }
      }
      if (closeQueued && !closedNotified) {
        boolean drained = c.recvBuf.readable() == 0 && (!c.peerFinSeen || peerFinNotified);
        if (closeError != null || c.appClosed || drained) {
          closedNotified = true;
          c.recvBuf.clear();
          c.events.onClosed(c, closeError);
        }
      }
    } finally {
      delivering = false;
    }
  }
}
