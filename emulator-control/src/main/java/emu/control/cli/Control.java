package emu.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import emu.control.controller.ApiException;
import emu.control.controller.ControlClient;
import emu.control.lab.Lab;
import emu.control.lab.LabException;
import java.io.IOException;
import java.io.PrintWriter;

/** What the fault commands share: find the lab's control API, send, print the answer or the error. */
final class Control {
  private Control() {}

  /** Functional form of one API call. */
  interface Call {
    JsonNode send(ControlClient c) throws IOException;
  }

  /** Runs {@code call} against the lab's control API; 0 on success, 1 with the API's message otherwise. */
  static int run(String lab, PrintWriter out, PrintWriter err, Call call, java.util.function.Consumer<JsonNode> show) {
    try {
      Lab l = Lab.attach(lab);
      if (!ControlClient.available(l.state())) {
        err.println("emu: lab " + l.state().name() + " has no running control process (was it started with an "
            + "older emu, or did its control process die?); ./emu down " + l.state().name() + " cleans up");
        return 1;
      }
      JsonNode answer = call.send(new ControlClient(l.state()));
      show.accept(answer);
      out.flush();
      return 0;
    } catch (ApiException e) {
      err.println("emu: " + e.getMessage() + " (HTTP " + e.status() + ")");
      return 1;
    } catch (LabException | IOException e) {
      err.println("emu: " + e.getMessage());
      return 1;
    }
  }
}
