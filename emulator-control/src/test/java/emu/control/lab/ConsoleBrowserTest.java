package emu.control.lab;

import static emu.control.lab.Tools.emu;
import static emu.control.lab.Tools.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import emu.control.lab.Tools.Cli;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The browser console ({@code ./emu up --console}) in a real browser: headless Chromium driven by
 * WebDriver (Debian's chromium and chromedriver, named explicitly so that Selenium never fetches a
 * driver) on the seed lab, started once for every step, its nodes four to a JVM. The page draws
 * every node and link; its form sets {@code loss 100%} on r1:eth1 and a ping from the client
 * (through the CLI) fails, then clears it; its buttons kill and restart payroll, and the drawing
 * marks it killed; counters move while a bulk transfer runs; a diagnostic's output streams in.
 * And another origin's page in the same browser cannot drive the lab.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  @TempDir
  static Path state;
  @TempDir
  static Path out;
  @TempDir
  static Path profile;

  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/console#token=([0-9A-Za-z_-]+)");
  static Path configs = Path.of(System.getProperty("emu.configs", "../configs"));
  static WebDriver driver;
  static String url;
  static String api;
  static String token;

  @BeforeAll
  static void up() throws Exception {
    Path chromium = Tools.require("chromium");
    Path chromedriver = Tools.require("chromedriver", "chromium-driver");
    System.setProperty("emu.stateDir", state.toString());
    System.setProperty("emu.nodesPerJvm", "4"); // 10 nodes in 3 JVMs: a shorter start
    Cli up = emu("up", configs.resolve("corporate.yml").toString(), "--out", out.toString(), "--no-capture",
        "--seed", "5", "--console");
    assertEquals(0, up.exit(), up.out() + up.err());
    Matcher m = URL.matcher(up.out());
    assertTrue(m.find(), "no console address in:\n" + up.out());
    url = m.group();
    api = "127.0.0.1:" + m.group(1);
    token = m.group(2);
    Cli again = ok("console");
    assertTrue(again.out().contains(url), "./emu console prints the same address: " + again.out());
    assertFalse(Files.readString(out.resolve("control.log")).contains(token), "the token is in no log");

    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium.toFile());
    // --no-sandbox: tests may run as root, where Chromium's sandbox refuses to start
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
        "--window-size=1400,2000", "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort().withTimeout(WAIT).build();
    driver = new ChromeDriver(service, o);
    driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
  }

  @AfterAll
  static void down() {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      emu("down");
      System.clearProperty("emu.nodesPerJvm");
      assertEquals(List.of(), Tools.nodeProcesses(state.toString()), "node processes left behind");
    }
  }

  static WebDriverWait await() {
    // the page updates its tables and drawing every second: an element may be replaced meanwhile
    WebDriverWait w = new WebDriverWait(driver, WAIT, Duration.ofMillis(200));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  static WebElement id(String id) {
    return driver.findElement(By.id(id));
  }

  static JsonNode status() throws Exception {
    return JSON.readTree(emu("status", "--json").out()); // exit status 1 while a node is killed
  }

  static JsonNode impairment(String node, String iface) throws Exception {
    for (JsonNode n : status().path("nodes")) {
      if (n.path("name").asText().equals(node)) {
        for (JsonNode i : n.path("interfaces")) {
          if (i.path("name").asText().equals(iface)) {
            return i.path("impairment");
          }
        }
      }
    }
    throw new AssertionError(node + ":" + iface + " not in the status");
  }

  static int received(Cli ping) {
    Matcher m = Pattern.compile("(\\d+) received").matcher(ping.out() + ping.err());
    assertTrue(m.find(), ping.out() + ping.err());
    return Integer.parseInt(m.group(1));
  }

  /** True once a ping from the client to payroll is answered (each waiting 2 s), within {@code limit}. */
  static boolean answersWithin(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (received(emu("exec", "client", "--", "ping", "-c", "1", "-W", "2", "payroll")) == 1) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  static Cli ping() {
    return emu("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "-W", "0.5", "payroll");
  }

  /** The text of a cell of the node's row in the nodes table. */
  static String nodeCell(String node, String cls) {
    return driver.findElement(By.cssSelector("#nodes tr[data-node='" + node + "'] td." + cls)).getText();
  }

  static void selectEnd(String endpoint) {
    driver.findElement(By.cssSelector("#links button[data-end='" + endpoint + "']")).click();
    await().until(d -> id("link-panel").isDisplayed());
    assertEquals(endpoint, id("link-end").getAttribute("value"));
  }

  @Test
  @Order(1)
  void thePageShowsEveryNodeAndLinkLive() throws Exception {
    driver.get(url);
    await().until(ExpectedConditions.attributeContains(By.id("conn"), "class", "live"));
    assertFalse(driver.getCurrentUrl().contains("token"), "the token is dropped from the address bar: "
        + driver.getCurrentUrl());
    JsonNode st = status();
    for (JsonNode n : st.path("nodes")) {
      String name = n.path("name").asText();
      WebElement g = driver.findElement(By.cssSelector("#drawing g.node[data-node='" + name + "']"));
      assertTrue(g.isDisplayed(), name);
      await().until(d -> "running".equals(g.getAttribute("data-state")));
      assertEquals("running", nodeCell(name, "state-cell"));
    }
    HttpResponse<String> lab = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + api
        + "/labs/corporate/links")).header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode links = JSON.readTree(lab.body());
    assertEquals(11, links.size(), lab.body());
    assertEquals(links.size(), driver.findElements(By.cssSelector("#drawing g.link")).size());
    for (JsonNode l : links) {
      String[] ends = l.path("name").asText().split("--");
      assertNotNull(driver.findElement(By.cssSelector("#drawing g.link[data-a='" + ends[0] + "'][data-b='" + ends[1]
          + "']")), l.toString());
      assertNotNull(driver.findElement(By.cssSelector("#links button[data-end='" + ends[1] + "']")), l.toString());
    }
    assertEquals(10, driver.findElements(By.cssSelector("#nodes tbody tr")).size());
    // the narrative of the lab's start is there (DHCP, ARP ...), with its filters filled
    await().until(d -> d.findElements(By.cssSelector("#narrative li")).size() > 5);
    assertTrue(driver.findElements(By.cssSelector("#filter-proto option")).size() > 2);
    // filtered by protocol and node: only such lines stay shown
    new Select(id("filter-proto")).selectByValue("dhcp");
    new Select(id("filter-node")).selectByValue("client");
    List<WebElement> shown = driver.findElements(By.cssSelector("#narrative li")).stream()
        .filter(WebElement::isDisplayed).toList();
    assertFalse(shown.isEmpty(), "the client's DHCP lines");
    for (WebElement li : shown) {
      assertEquals("dhcp client", li.getAttribute("data-proto") + " " + li.getAttribute("data-node"), li.getText());
    }
    new Select(id("filter-proto")).selectByValue("");
    new Select(id("filter-node")).selectByValue("");
  }

  @Test
  @Order(2)
  void lossSetThroughTheFormStopsThePingAndClearingItBringsItBack() throws Exception {
    selectEnd("r1:eth1");
    id("imp-loss").sendKeys("150%");
    id("imp-apply").click();
    await().until(d -> !id("imp-error").getText().isEmpty());
    assertTrue(id("imp-error").getText().contains("loss"), "the API's error is shown: " + id("imp-error").getText());
    assertEquals("{}", impairment("r1", "eth1").toString(), "a refused change changes nothing");

    id("imp-loss").clear();
    id("imp-loss").sendKeys("100%");
    id("imp-apply").click();
    await().until(d -> d.findElement(By.cssSelector("#links tr[data-link^='r1:eth1'] td.imp-cell")).getText()
        .contains("loss 100%"));
    assertEquals("100%", impairment("r1", "eth1").path("loss").asText());
    assertEquals(0, received(ping()), "the client's ping fails with loss 100% on r1:eth1");

    id("imp-clear").click();
    await().until(d -> d.findElement(By.cssSelector("#links tr[data-link^='r1:eth1'] td.imp-cell")).getText()
        .equals("none"));
    assertEquals("{}", impairment("r1", "eth1").toString());
    assertTrue(answersWithin(Duration.ofSeconds(20)), "and works again once cleared");
  }

  @Test
  @Order(3)
  void killAndRestartButtonsAreSeenOnTheDrawing() throws Exception {
    // picked on the drawing itself, zoomed in first (the viewBox moves)
    WebElement drawing = driver.findElement(By.cssSelector("#drawing svg"));
    String before = drawing.getDomAttribute("viewBox");
    id("zoom-in").click();
    assertFalse(before.equals(drawing.getDomAttribute("viewBox")), "zoomed in: " + before);
    id("zoom-fit").click();
    assertEquals(before, drawing.getDomAttribute("viewBox"));
    driver.findElement(By.cssSelector("#drawing g.node[data-node='payroll']")).click();
    await().until(d -> id("node-panel").isDisplayed() && id("node-name").getText().equals("payroll"));
    id("node-kill").click();
    WebElement g = driver.findElement(By.cssSelector("#drawing g.node[data-node='payroll']"));
    await().until(d -> "killed".equals(g.getAttribute("data-state")));
    assertTrue(g.getAttribute("class").contains("st-killed"), g.getAttribute("class"));
    assertEquals("killed", id("node-state").getText());
    assertEquals("killed", nodeState("payroll"));
    assertEquals(0, received(ping()));

    id("node-restart").click();
    await().until(d -> "running".equals(g.getAttribute("data-state")));
    assertEquals("running", nodeState("payroll"));
    // a restarted node is a fresh JVM on a loaded machine: its first answers may miss ping's 0.5 s
    assertTrue(answersWithin(Duration.ofSeconds(20)), "payroll answers again after its restart");
  }

  static String nodeState(String node) throws Exception {
    for (JsonNode n : status().path("nodes")) {
      if (n.path("name").asText().equals(node)) {
        return n.path("state").asText();
      }
    }
    throw new AssertionError(node);
  }

  @Test
  @Order(4)
  void countersMoveWhileABulkTransferRuns() throws Exception {
    ok("exec", "payroll", "--", "bulk", "server");
    // transfers one after the other until the page has seen them: however fast this machine is
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<Cli> bulk = CompletableFuture.supplyAsync(() -> {
      Cli c;
      do {
        c = emu("exec", "client", "--", "bulk", "client", "payroll", "--bytes", "20M");
      } while (c.exit() == 0 && !stop.get());
      return c;
    });
    try {
      // the client sends: its frames/s and bits/s are above zero, and r1:eth1 carries it
      await().until(d -> bulk.isDone() || rate(nodeCell("client", "txf")) > 10);
      assertFalse(bulk.isDone(), "the transfer failed: " + bulk.getNow(null));
      await().until(d -> d.findElement(By.cssSelector("#links tr[data-link^='r1:eth1'] td.bps")).getText()
          .matches("\\d.* [kMG]bit/s / .*"));
      await().until(d -> d.findElement(By.cssSelector("#drawing g.link[data-a='r1:eth1']")).getAttribute("class")
          .matches(".*load-[1-4].*"));
      Files.write(Path.of("target", "console-screenshot.png"),
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      Browser.assertNotBlank(ImageIO.read(Path.of("target", "console-screenshot.png").toFile()),
          Path.of("target", "console-screenshot.png"));
    } finally {
      stop.set(true);
      Cli done = bulk.get();
      assertEquals(0, done.exit(), done.out() + done.err());
    }
  }

  static double rate(String cell) {
    try {
      return Double.parseDouble(cell.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Test
  @Order(5)
  void aDiagnosticStreamsItsOutput() {
    driver.findElement(By.cssSelector("#nodes tr[data-node='client'] button")).click();
    await().until(d -> id("node-panel").isDisplayed());
    id("diag-args").sendKeys("-c 2 -i 0.2 payroll");
    id("diag-run").click();
    await().until(d -> id("diag-out").getText().contains("[exit "));
    String shown = id("diag-out").getText();
    assertTrue(shown.contains("2 received") && shown.contains("[exit 0]"), shown);
    // and only the diagnostics: anything else is refused with the reason
    new Select(id("diag-cmd")).selectByVisibleText("resolve");
    id("diag-args").clear();
    id("diag-args").sendKeys("payroll.corp.com");
    id("diag-run").click();
    await().until(d -> id("diag-out").getText().contains("[exit "));
    assertTrue(id("diag-out").getText().contains("192.168.5.100"), id("diag-out").getText());
  }

  @Test
  @Order(6)
  void aLiveCaptureIsOfferedForDownload() throws Exception {
    selectEnd("r1:eth1");
    id("cap-count").clear();
    id("cap-count").sendKeys("4");
    id("cap-start").click();
    await().until(d -> id("cap-status").getText().startsWith("capturing"));
    ok("exec", "client", "--", "ping", "-c", "2", "-i", "0.2", "payroll"); // 2 requests and 2 replies cross r1:eth1
    await().until(d -> id("cap-download").isDisplayed());
    String status = id("cap-status").getText();
    Matcher m = Pattern.compile("captured r1:eth1: (\\d+) bytes").matcher(status);
    assertTrue(m.find(), status);
    assertTrue(Integer.parseInt(m.group(1)) > 24 + 4 * 16, "a pcap header and four frames: " + status);
    assertTrue(id("cap-download").getAttribute("href").startsWith("blob:"));
    assertEquals("corporate-r1-eth1.pcap", id("cap-download").getAttribute("download"));
  }

  @Test
  @Order(7)
  void noMessageOnTheBrowserConsole() {
    List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
    // the one request refused on purpose (loss 150%) is logged by Chromium as a failed load: nothing else may be
    assertEquals(List.of(), entries.stream().map(LogEntry::toString)
        .filter(e -> !(e.contains("/links/r1:eth1/impairment") && e.contains("status of 400"))).toList(),
        "script errors or CSP violations on the console page");
  }

  @Test
  @Order(8)
  void anotherOriginCannotDriveTheLab() throws Exception {
    // A page of another origin (another port of 127.0.0.1) in the same browser tries the API: a
    // simple POST (no preflight) reaches it and is refused (401), one with a made-up token needs a
    // preflight, which fails, and a read gets no CORS header, so the page sees nothing.
    String target = "http://" + api + "/labs/corporate/links/r1:eth1/impairment";
    String evil = "<!doctype html><title>evil</title><pre id=out></pre><script>\n"
        + "const out = document.getElementById('out');\n"
        + "const note = (k, v) => { out.textContent += k + '=' + v + '\\n'; };\n"
        + "(async () => {\n"
        + "  try { const r = await fetch('" + target + "', {method: 'POST', mode: 'no-cors', "
        + "body: '{\"loss\":\"100%\"}'}); note('simple', r.type + ':' + r.status); }\n"
        + "  catch (e) { note('simple', 'refused'); }\n"
        + "  try { const r = await fetch('" + target + "', {method: 'POST', headers: {Authorization: 'Bearer x', "
        + "'Content-Type': 'application/json'}, body: '{\"loss\":\"100%\"}'}); note('preflighted', r.status); }\n"
        + "  catch (e) { note('preflighted', 'refused'); }\n"
        + "  try { const r = await fetch('http://" + api + "/labs/corporate'); note('read', r.status + ':'"
        + " + (await r.text()).length); }\n"
        + "  catch (e) { note('read', 'refused'); }\n"
        + "  note('done', 1);\n"
        + "})();\n</script>";
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", x -> {
      byte[] b = evil.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      x.sendResponseHeaders(200, b.length);
      x.getResponseBody().write(b);
      x.close();
    });
    server.start();
    try {
      driver.get("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      await().until(d -> id("out").getText().contains("done=1"));
      String seen = id("out").getText();
      assertTrue(seen.contains("simple=opaque:0"), "a simple request is sent but its answer is unreadable: " + seen);
      assertTrue(seen.contains("preflighted=refused"), seen);
      assertTrue(seen.contains("read=refused"), seen);
    } finally {
      server.stop(0);
    }
    assertEquals("{}", impairment("r1", "eth1").toString(), "the lab is unchanged");

    // What the browser saw, from the server's side: 401, and no CORS header that would let it in.
    HttpClient http = HttpClient.newHttpClient();
    for (HttpRequest r : List.of(
        HttpRequest.newBuilder(URI.create(target)).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", "http://127.0.0.1:1").header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type").build(),
        HttpRequest.newBuilder(URI.create(target)).header("Origin", "http://127.0.0.1:1")
            .POST(HttpRequest.BodyPublishers.ofString("{\"loss\":\"100%\"}")).build(),
        HttpRequest.newBuilder(URI.create("http://" + api + "/labs/corporate/console/feed")).build(),
        HttpRequest.newBuilder(URI.create("http://" + api + "/labs/corporate/console/topology")).build(),
        HttpRequest.newBuilder(URI.create("http://" + api + "/labs/corporate/nodes/client/exec"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"argv\":[\"ping\",\"payroll\"]}")).build())) {
      HttpResponse<String> a = http.send(r, HttpResponse.BodyHandlers.ofString());
      assertEquals(401, a.statusCode(), r + ": " + a.body());
      assertEquals(Map.of(), a.headers().map().entrySet().stream()
          .filter(h -> h.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("access-control"))
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), r.toString());
    }
    assertEquals("{}", impairment("r1", "eth1").toString(), "the lab is unchanged");
  }

  @Test
  @Order(9)
  void thePageItselfIsPublicButLockedDown() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://" + api + "/console")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
        && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), csp);
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertFalse(page.body().contains("<script>") || page.body().contains("style="), "no inline script or style");
    HttpResponse<String> js = http.send(HttpRequest.newBuilder(URI.create("http://" + api
        + "/console/console.js")).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
    assertNull(js.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
  }
}
