package emu.node.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.NameTransformer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place where events meet JSON (Jackson). A line of an events file is one object:
 * {@code {"ts":<epoch ns>,"seq":n,"node":"r1","type":"ip.forward",<the record's fields>}}, field
 * names in snake case, enums in lower case, absent values left out. The merged
 * {@code events.jsonl} of a run adds {@code "msg"}, the sentence the narrative printed; reading
 * ignores it (the sentence is derived, never a source).
 *
 * <p>Types are the {@link JsonTypeName} of each record, collected from the sealed hierarchy when
 * this class loads; two records with one name, or a record without one, fail that load (and the
 * codec's test), not a run.
 */
public final class EventCodec {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
      .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
      .configure(com.fasterxml.jackson.databind.MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS, true)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // a record's fields are its components; a helper such as RouteInfo.isDefault() is not one
      .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.IS_GETTER,
          com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
      .build();
  private static final SerializerProvider PROVIDER = JSON.getSerializerProviderInstance();
  /** The fields every line has; no record may have a field of these names. */
  private static final Set<String> ENVELOPE = Set.of("ts", "seq", "node", "type", "msg");
  private static final Map<String, Class<? extends TraceEvent>> BY_TYPE;
  private static final Map<Class<?>, String> TYPES;

  static {
    Map<String, Class<? extends TraceEvent>> byType = new HashMap<>();
    Map<Class<?>, String> types = new HashMap<>();
    ArrayDeque<Class<?>> todo = new ArrayDeque<>(java.util.List.of(TraceEvent.class));
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (c.isSealed()) {
        todo.addAll(java.util.List.of(c.getPermittedSubclasses()));
        continue;
      }
      JsonTypeName name = c.getAnnotation(JsonTypeName.class);
      if (name == null || name.value().isEmpty()) {
        throw new IllegalStateException(c.getName() + " has no @JsonTypeName: every event record needs its type");
      }
      Class<? extends TraceEvent> prev = byType.put(name.value(), c.asSubclass(TraceEvent.class));
      if (prev != null) {
        throw new IllegalStateException("event type " + name.value() + " is used by both " + prev.getName()
            + " and " + c.getName());
      }
      for (java.lang.reflect.RecordComponent rc : c.getRecordComponents()) {
        String field = new PropertyNamingStrategies.SnakeCaseStrategy().translate(rc.getName());
        if (ENVELOPE.contains(field)) {
          throw new IllegalStateException(c.getName() + "." + rc.getName() + " would be written as '" + field
              + "', which every line already has: rename it");
        }
      }
      types.put(c, name.value());
    }
    BY_TYPE = Collections.unmodifiableMap(byType);
    TYPES = Collections.unmodifiableMap(types);
  }

  /** The fields of a record without the braces around them, so the envelope can go first. */
  private static final ClassValue<JsonSerializer<Object>> FIELDS = new ClassValue<>() {
    @Override
    protected JsonSerializer<Object> computeValue(Class<?> type) {
      try {
        return PROVIDER.findValueSerializer(type).unwrappingSerializer(NameTransformer.NOP);
      } catch (JsonMappingException e) {
        throw new IllegalStateException("cannot write " + type.getName() + " as JSON", e);
      }
    }
  };

  private EventCodec() {}

  /** The mapper, configured as events are written (for generators that write events files). */
  public static ObjectMapper mapper() {
    return JSON;
  }

  public static String typeOf(Class<?> eventClass) {
    String t = TYPES.get(eventClass);
    if (t == null) {
      throw new IllegalArgumentException(eventClass.getName() + " is not an event record");
    }
    return t;
  }

  /** Every event type there is, sorted. */
  public static Set<String> types() {
    return new TreeSet<>(BY_TYPE.keySet());
  }

  public static Class<? extends TraceEvent> classOf(String type) {
    return BY_TYPE.get(type);
  }

  /** Writes one event as a JSON object (no line end); {@code msg} may be null. */
  public static void write(JsonGenerator g, Stamped s, String msg) throws IOException {
    TraceEvent e = s.event();
    g.writeStartObject();
    g.writeNumberField("ts", s.ts());
    g.writeNumberField("seq", s.seq());
    g.writeStringField("node", s.node());
    g.writeStringField("type", typeOf(e.getClass()));
    if (msg != null) {
      g.writeStringField("msg", msg);
    }
    FIELDS.get(e.getClass()).serialize(e, g, PROVIDER);
    g.writeEndObject();
  }

  /** One event as one line of JSON (without the line end). */
  public static String toJson(Stamped s, String msg) {
    StringWriter w = new StringWriter(256);
    try (JsonGenerator g = JSON.getFactory().createGenerator(w)) {
      write(g, s, msg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /**
   * Reads one line back.
   *
   * @throws IOException if it is not JSON, has no known {@code type}, or its fields do not fit
   *     that type's record
   */
  public static Stamped read(String line) throws IOException {
    return read(JSON.readTree(line));
  }

  /** Reads one parsed line back; see {@link #read(String)}. */
  public static Stamped read(JsonNode j) throws IOException {
    if (!(j instanceof ObjectNode o)) {
      throw new IOException("an event must be a JSON object");
    }
    String type = o.path("type").asText("");
    Class<? extends TraceEvent> c = BY_TYPE.get(type);
    if (c == null) {
      throw new IOException("unknown event type '" + type + "'");
    }
    TraceEvent e = JSON.treeToValue(o, c);
    return new Stamped(o.path("ts").asLong(), o.path("seq").asLong(), o.path("node").asText(), e);
  }
}
