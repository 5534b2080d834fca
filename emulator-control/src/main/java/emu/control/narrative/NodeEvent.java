package emu.control.narrative;

import com.fasterxml.jackson.databind.JsonNode;

/** One line of a node's events file, as read back by the control plane. */
public record NodeEvent(long ts, String node, long seq, String type, String msg, JsonNode raw) {
  public static NodeEvent of(JsonNode j) {
    return new NodeEvent(j.path("ts").asLong(), j.path("node").asText(), j.path("seq").asLong(),
        j.path("type").asText(), j.path("msg").asText(), j);
  }
}
