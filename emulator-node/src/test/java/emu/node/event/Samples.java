package emu.node.event;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One instance of every event record there is, built from its components' types (text, numbers,
 * the first constant of an enum, nested records likewise), so that tests cover each record
 * without a list that could fall behind the model. {@code variant} changes every value, so two
 * samples of a record differ in every field.
 */
public final class Samples {
  private Samples() {}

  /** Every record class of the sealed hierarchy, in a stable order. */
  public static List<Class<? extends TraceEvent>> recordClasses() {
    List<Class<? extends TraceEvent>> out = new ArrayList<>();
    ArrayDeque<Class<?>> todo = new ArrayDeque<>(List.of(TraceEvent.class));
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      if (c.isSealed()) {
        todo.addAll(List.of(c.getPermittedSubclasses()));
      } else {
        out.add(c.asSubclass(TraceEvent.class));
      }
    }
    out.sort(java.util.Comparator.comparing(Class::getName));
    return out;
  }

  /** A sample of every event record. */
  public static List<TraceEvent> all(int variant) {
    return recordClasses().stream().map(c -> (TraceEvent) sample(c, variant)).toList();
  }

  public static Object sample(Class<?> c, int variant) {
    if (!c.isRecord()) {
      throw new IllegalArgumentException(c + " is not a record");
    }
    RecordComponent[] comps = c.getRecordComponents();
    Class<?>[] types = new Class<?>[comps.length];
    Object[] args = new Object[comps.length];
    for (int i = 0; i < comps.length; i++) {
      types[i] = comps[i].getType();
      args[i] = value(comps[i].getGenericType(), comps[i].getName(), variant);
    }
    try {
      Constructor<?> k = c.getDeclaredConstructor(types);
      k.setAccessible(true);
      return k.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build a " + c.getName(), e);
    }
  }

  private static Object value(Type t, String name, int variant) {
    Class<?> c = t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) t;
    if (c == String.class || c == Object.class) {
      return name + "-" + variant;
    }
    if (c == int.class || c == Integer.class) {
      return 7 + variant;
    }
    if (c == long.class || c == Long.class) {
      return 4_000_000_000L + variant;
    }
    if (c == boolean.class || c == Boolean.class) {
      return variant % 2 == 0;
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      return constants[variant % constants.length];
    }
    if (c == List.class) {
      Type arg = ((ParameterizedType) t).getActualTypeArguments()[0];
      return List.of(value(arg, name, variant), value(arg, name, variant + 1));
    }
    if (c == Map.class) {
      Map<String, Object> m = new LinkedHashMap<>();
      Type arg = ((ParameterizedType) t).getActualTypeArguments()[1];
      m.put(name + "-key", value(arg, name, variant));
      return m;
    }
    if (c.isRecord()) {
      return sample(c, variant);
    }
    throw new IllegalArgumentException("no sample for " + t + " (" + name + ")");
  }
}
