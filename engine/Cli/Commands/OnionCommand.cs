using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text;
using Engine.Hosting.Onion;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;

namespace Engine.Cli.Commands;

/// <summary>Options of <c>engine onion send</c>.</summary>
internal sealed record OnionSendOptions(string TrustFile, string Path, string Message, int Count, bool Reencrypt, double TimeoutSeconds);

/// <summary>
/// <c>engine onion send</c>: a Protocol 1 client against servers started with <c>engine serve</c>. It fetches the
/// KGC's directory, verifies the signed node list against the trust file, sets up a link along <c>--path</c> and
/// sends the message, printing each answer and the round-trip times.
/// </summary>
internal static class OnionCommand
{
    public static Command Create(TextWriter output)
    {
        var onion = new Command("onion", "Protocol 1 client commands against running servers (see 'engine serve').");
        var trust = new Option<string>("--trust-file") { Description = "The KGC's trust anchor, written by 'engine serve kgc --trust-file'.", Required = true };
        var path = new Option<string>("--path") { Description = "Comma-separated node identities: relays in order, then the destination.", Required = true };
        var message = new Option<string>("--message") { Description = "The message (UTF-8 text).", DefaultValueFactory = _ => "hello" };
        var count = new Option<int>("--count") { Description = "How many times to send it over the one link.", DefaultValueFactory = _ => 1 };
        var reencrypt = new Option<bool>("--reencrypt") { Description = "Re-encrypt the payload at every hop instead of the paper's single layer." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for each answer.", DefaultValueFactory = _ => 10 };
        var send = new Command("send", "Set up a link through the path and send a message; print the destination's answers.");
        foreach (Option o in new Option[] { trust, path, message, count, reencrypt, timeout }) send.Options.Add(o);
        send.SetAction(r => SendAsync(new OnionSendOptions(r.GetValue(trust)!, r.GetValue(path)!, r.GetValue(message)!, r.GetValue(count), r.GetValue(reencrypt),
                                                           r.GetValue(timeout)), output).GetAwaiter().GetResult());
        onion.Subcommands.Add(send);
        return onion;
    }

    internal static async Task<int> SendAsync(OnionSendOptions options, TextWriter output)
    {
        KgcTrustFile anchor;
        try { anchor = KgcTrustFile.Load(options.TrustFile); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { output.WriteLine($"error: {e.Message}"); return 1; }
        string[] ids = options.Path.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length is < 2 or > OnionParameters.MaxPathLength + 1)
        {
            output.WriteLine($"error: --path needs 1 to {OnionParameters.MaxPathLength} relays and a destination, got {ids.Length} names");
            return 1;
        }
        if (options.Count < 1 || options.TimeoutSeconds <= 0) { output.WriteLine("error: --count and --timeout must be positive"); return 1; }
        var parameters = new OnionParameters(PrimeOrderGroups.Find(anchor.Group)!);
        using var timeout = new CancellationTokenSource();
        CancellationToken Step() { timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds)); return timeout.Token; }
        try
        {
            IReadOnlyList<CertificatelessPublicKey> keys;
            Dictionary<string, IPEndPoint> endpoints;
            await using (KgcClient directory = await KgcClient.ConnectAsync(anchor.Endpoint, Step()).ConfigureAwait(false))
            {
                EngineStatus status;
                (status, keys, endpoints) = await directory.GetDirectoryAsync(parameters, anchor.ListSigningKey, anchor.MasterPublicKey, Step()).ConfigureAwait(false);
                if (status != EngineStatus.Ok) { output.WriteLine($"error: the KGC's directory does not verify against the trust file: {status}"); return 1; }
            }
            var path = new List<CertificatelessPublicKey>();
            foreach (string id in ids)
            {
                CertificatelessPublicKey? key = keys.FirstOrDefault(k => k.Id == id);
                if (key is null) { output.WriteLine($"error: '{id}' is not in the KGC's signed node list ({string.Join(", ", keys.Select(k => k.Id))})"); return 1; }
                path.Add(key);
            }
            if (!endpoints.TryGetValue(NodeHandle.Of(ids[0]), out IPEndPoint? first)) { output.WriteLine($"error: '{ids[0]}' has not registered an endpoint"); return 1; }

            await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(first, Step()).ConfigureAwait(false);
            using ClientLink link = OnionClient.BeginLink(path, DateTimeOffset.UtcNow.AddMinutes(30));
            var sw = Stopwatch.StartNew();
            EngineStatus setup = await client.EstablishAsync(link, Step()).ConfigureAwait(false);
            if (setup != EngineStatus.Ok) { output.WriteLine($"error: link setup refused: {setup}"); return 1; }
            output.WriteLine($"link established through {string.Join(" → ", ids)} in {sw.Elapsed.TotalMilliseconds:F1} ms");
            byte[] message = Encoding.UTF8.GetBytes(options.Message);
            for (int i = 1; i <= options.Count; i++)
            {
                sw.Restart();
                (EngineStatus status, byte[]? reply) = await client.RequestAsync(link, message, options.Reencrypt, Step()).ConfigureAwait(false);
                if (status != EngineStatus.Ok) { output.WriteLine($"error: message {i} refused: {status}"); return 1; }
                output.WriteLine($"reply {i} ({sw.Elapsed.TotalMilliseconds:F2} ms): {Show(reply!)}");
            }
            return 0;
        }
        catch (OperationCanceledException) { output.WriteLine($"error: no answer within {options.TimeoutSeconds} s"); return 1; }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException) { output.WriteLine($"error: {e.Message}"); return 1; }
    }

    /// <summary>UTF-8 text if it is printable, else hex.</summary>
    private static string Show(byte[] bytes)
    {
        try
        {
            string text = new UTF8Encoding(false, true).GetString(bytes);
            if (!text.Any(char.IsControl)) return text;
        }
        catch (DecoderFallbackException) { }
        return "0x" + Convert.ToHexStringLower(bytes);
    }
}
