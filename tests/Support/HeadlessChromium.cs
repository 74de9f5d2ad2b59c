using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Engine.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket; no browser package from NuGet): opens
/// a page, collects console errors and uncaught exceptions, evaluates script, and takes a full-page screenshot. A
/// machine without Chromium skips the test with the reason.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly List<string> _errors = [];
    private readonly List<JsonObject> _events = [];
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Console errors, uncaught exceptions and failed loads seen since the page was opened.</summary>
    public IReadOnlyList<string> Errors => _errors;

    public static string? FindExecutable() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> StartAsync(int width, int height)
    {
        string? executable = FindExecutable();
        if (executable is null) Assert.Ignore("Chromium not installed (apt-get install chromium); .ci/run installs it");
        string profile = Directory.CreateTempSubdirectory("engine-chromium-").FullName;
        var info = new ProcessStartInfo(executable!) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                                     "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank" })
            info.ArgumentList.Add(a);
        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            // Chromium writes the port it chose into DevToolsActivePort once it listens.
            string portFile = Path.Combine(profile, "DevToolsActivePort");
            var clock = Stopwatch.StartNew();
            while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length < 2)
            {
                if (process.HasExited) Assert.Ignore($"Chromium exited at start (code {process.ExitCode}); cannot run a headless browser here");
                if (clock.Elapsed > Timeout) Assert.Fail("Chromium did not open its DevTools port within 60 s");
                await Task.Delay(50);
            }
            int port = int.Parse(File.ReadAllLines(portFile)[0]);
            using var http = new HttpClient { Timeout = Timeout };
            JsonArray targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            string page = targets.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
            await browser._socket.ConnectAsync(new Uri(page), new CancellationTokenSource(Timeout).Token);
            foreach (string domain in new[] { "Runtime", "Log", "Page" }) await browser.CallAsync($"{domain}.enable");
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Navigates and waits for the load event.</summary>
    public async Task OpenAsync(string url)
    {
        _errors.Clear();
        _events.Clear();
        await CallAsync("Page.navigate", new JsonObject { ["url"] = url });
        var clock = Stopwatch.StartNew();
        while (!_events.Any(e => (string?)e["method"] == "Page.loadEventFired"))
        {
            if (clock.Elapsed > Timeout) Assert.Fail($"{url} did not load within 60 s");
            await ReceiveAsync();
        }
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value as JSON.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        JsonObject result = await CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        if (result["exceptionDetails"] is not null) Assert.Fail($"script failed in the page: {result["exceptionDetails"]!.ToJsonString()}");
        return result["result"]!["value"]?.DeepClone();
    }

    /// <summary>A PNG of the whole page at one CSS pixel per image pixel.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        JsonObject metrics = await CallAsync("Page.getLayoutMetrics");
        JsonNode size = metrics["cssContentSize"] ?? metrics["contentSize"]!;
        var clip = new JsonObject { ["x"] = 0, ["y"] = 0, ["width"] = size["width"]!.GetValue<double>(), ["height"] = size["height"]!.GetValue<double>(), ["scale"] = 1 };
        JsonObject shot = await CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true, ["clip"] = clip });
        return Convert.FromBase64String(shot["data"]!.GetValue<string>());
    }

    private async Task<JsonObject> CallAsync(string method, JsonObject? parameters = null)
    {
        int id = ++_nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, new CancellationTokenSource(Timeout).Token);
        while (true)
        {
            JsonObject reply = await ReceiveAsync();
            if ((int?)reply["id"] != id) continue;
            if (reply["error"] is not null) Assert.Fail($"{method}: {reply["error"]!.ToJsonString()}");
            return reply["result"]!.AsObject();
        }
    }

    /// <summary>One message from the browser; events are kept, errors among them recorded.</summary>
    private async Task<JsonObject> ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        WebSocketReceiveResult part;
        do
        {
            part = await _socket.ReceiveAsync(buffer, new CancellationTokenSource(Timeout).Token);
            message.Write(buffer, 0, part.Count);
        } while (!part.EndOfMessage);
        JsonObject node = JsonNode.Parse(message.ToArray())!.AsObject();
        switch ((string?)node["method"])
        {
            case "Runtime.consoleAPICalled" when (string?)node["params"]!["type"] is "error" or "assert":
                _errors.Add($"console.error: {node["params"]!["args"]!.ToJsonString()}");
                break;
            case "Runtime.exceptionThrown":
                _errors.Add($"exception: {node["params"]!["exceptionDetails"]!.ToJsonString()}");
                break;
            case "Log.entryAdded" when (string?)node["params"]!["entry"]!["level"] == "error":
                _errors.Add($"log: {node["params"]!["entry"]!["text"]}");
                break;
        }
        if (node["method"] is not null) _events.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { }
    }
}
