package emu.node.tcp;

/**
 * What the TCP layer reports as it works, for tracing: values, never sentences. Implementations
 * live above TCP (the node's tracing); {@link #OFF} reports nothing. Callers ask
 * {@link #enabled()} first, so a node that does not trace builds nothing.
 */
public interface TcpObserver {
  TcpObserver OFF = new TcpObserver() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpCause cause, TcpError error) {}
  };

  boolean enabled();

  /** {@code c} moved from {@code from} to {@code to} because of {@code cause}; {@code error}: why it failed, or null. */
  void stateChanged(TcpConnection c, TcpState from, TcpState to, TcpCause cause, TcpError error);
}
