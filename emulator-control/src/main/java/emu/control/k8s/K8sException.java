package emu.control.k8s;

/** A topology that cannot be rendered for Kubernetes, with the reason. */
public final class K8sException extends Exception {
  public K8sException(String message) {
    super(message);
  }
}
