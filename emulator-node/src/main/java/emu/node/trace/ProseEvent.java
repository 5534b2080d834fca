package emu.node.trace;

import emu.node.event.TraceMeta;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TRANSITIONAL: the old untyped event (a type, a sentence, loose fields), kept only for the
 * services not converted to typed events yet; {@link #event()} wraps it as
 * {@link TraceMeta.Legacy}. Goes away with the last caller.
 */
public final class ProseEvent {
  private final String type;
  private String message;
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public ProseEvent(String type) {
    this.type = type;
  }

  public ProseEvent msg(String message) {
    this.message = message;
    return this;
  }

  public ProseEvent put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  public TraceMeta.Legacy event() {
    return new TraceMeta.Legacy(type, message, fields);
  }
}
