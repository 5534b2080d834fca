package emu.node.trace;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step a node took, for the narrative: a type (e.g. {@code arp.request}), a sentence a
 * person can read, and structured fields for machines. Built only when tracing is on.
 */
public final class TraceEvent {
  private final String type;
  private String message;
  private final Map<String, Object> fields = new LinkedHashMap<>();

  public TraceEvent(String type) {
    this.type = type;
  }

  public TraceEvent msg(String message) {
    this.message = message;
    return this;
  }

  public TraceEvent put(String key, Object value) {
    fields.put(key, value);
    return this;
  }

  public String type() {
    return type;
  }

  public String message() {
    return message;
  }

  public Map<String, Object> fields() {
    return fields;
  }

  @Override
  public String toString() {
    return type + ": " + message + " " + fields;
  }
}
