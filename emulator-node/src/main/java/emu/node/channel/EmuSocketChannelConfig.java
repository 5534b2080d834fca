package emu.node.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import java.util.Map;

/**
 * Options of an emulated TCP socket: Netty's usual ones plus TCP_NODELAY (Nagle off),
 * SO_KEEPALIVE and ALLOW_HALF_CLOSURE (keep the channel open after the peer's FIN, as Netty's
 * socket channels do).
 */
public final class EmuSocketChannelConfig extends DefaultChannelConfig {
  private volatile boolean tcpNoDelay;
  private volatile boolean keepAlive;
  private volatile boolean allowHalfClosure;

  EmuSocketChannelConfig(Channel channel) {
    super(channel);
  }

  @Override
  public Map<ChannelOption<?>, Object> getOptions() {
    return getOptions(super.getOptions(), ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE,
        ChannelOption.ALLOW_HALF_CLOSURE);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getOption(ChannelOption<T> option) {
    if (option == ChannelOption.TCP_NODELAY) {
      return (T) Boolean.valueOf(tcpNoDelay);
    }
    if (option == ChannelOption.SO_KEEPALIVE) {
      return (T) Boolean.valueOf(keepAlive);
    }
    if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
      return (T) Boolean.valueOf(allowHalfClosure);
    }
    return super.getOption(option);
  }

  @Override
  public <T> boolean setOption(ChannelOption<T> option, T value) {
    validate(option, value);
    if (option == ChannelOption.TCP_NODELAY) {
      tcpNoDelay = (Boolean) value;
      ((EmuSocketChannel) channel).applyOptions();
    } else if (option == ChannelOption.SO_KEEPALIVE) {
      keepAlive = (Boolean) value;
      ((EmuSocketChannel) channel).applyOptions();
    } else if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
      allowHalfClosure = (Boolean) value;
    } else {
      return super.setOption(option, value);
    }
    return true;
  }

  public boolean isTcpNoDelay() {
    return tcpNoDelay;
  }

  public boolean isKeepAlive() {
    return keepAlive;
  }

  public boolean isAllowHalfClosure() {
    return allowHalfClosure;
  }
}
