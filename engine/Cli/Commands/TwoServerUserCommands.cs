using System.Security.Cryptography;
using System.CommandLine;
using System.Net;
using System.Text;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Content;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;

namespace Engine.Cli.Commands;

/// <summary>
/// A Protocol 2 user by hand, against running <c>engine serve two-server</c> servers: <c>register</c>, <c>join</c>,
/// <c>send</c> (a message to one member, as that round's upload), <c>fetch</c> (waits for a round to close,
/// checks both servers' signed inboxes and prints what arrived, completing any dial answered there), and the
/// asynchronous dial of paper §5.3: <c>dial</c> (the caller's g^x into the mailbox) and <c>answer</c> (the callee's
/// g^y back in an ordinary round; both ends keep the shared key, see <see cref="DialPeers"/>). Every command connects to S1 and S2, checks that
/// they announce the trusted keys, and says what a refusal means.
/// </summary>
internal static class TwoServerUserCommands
{
    private sealed record Connection(string Id, string KeyFile, IPEndPoint S1, IPEndPoint S2, string S1KeyFile, string S2KeyFile, int Block);

    public static void AddTo(Command twoServer, TextWriter output)
    {
        var id = new Option<string>("--id") { Description = "This user's name at both servers.", Required = true };
        var key = new Option<string>("--key") { Description = "This user's signing key file (hex; created by register if missing, public key in FILE.pub).", Required = true };
        var s1 = new Option<string>("--s1") { Description = "S1's address:port.", DefaultValueFactory = _ => "127.0.0.1:7501" };
        var s2 = new Option<string>("--s2") { Description = "S2's address:port.", DefaultValueFactory = _ => "127.0.0.1:7502" };
        var s1Key = new Option<string>("--s1-key") { Description = "S1's public key file (the FILE.pub its --key wrote): the key S1 must announce.", Required = true };
        var s2Key = new Option<string>("--s2-key") { Description = "S2's public key file.", Required = true };
        var block = new Option<int>("--block") { Description = "Message block size B (must equal the servers').", DefaultValueFactory = _ => 256 };
        var group = new Option<string>("--group") { Description = "The group's name.", Required = true };
        var peers = new Option<string?>("--peers") { Description = "Folder of this user's dials and shared keys (owner-only files; default: KEY.peers)." };
        string PeersOf(ParseResult r, Connection c) => r.GetValue(peers) ?? c.KeyFile + ".peers";
        Option[] common = [id, key, s1, s2, s1Key, s2Key, block];
        Connection? Parse(ParseResult r)
        {
            if (!IPEndPoint.TryParse(r.GetValue(s1)!, out IPEndPoint? e1) || !IPEndPoint.TryParse(r.GetValue(s2)!, out IPEndPoint? e2))
            {
                output.WriteLine("error: --s1 and --s2 are address:port (for example 127.0.0.1:7501)");
                return null;
            }
            return new Connection(r.GetValue(id)!, r.GetValue(key)!, e1, e2, r.GetValue(s1Key)!, r.GetValue(s2Key)!, r.GetValue(block));
        }

        var register = new Command("register", "Register this user's key with S1 and S2 (each confirms the other's receipt).");
        foreach (Option o in common) register.Options.Add(o);
        register.SetAction(r => Parse(r) is { } c ? Run(output, c, createKey: true, async (user, ct) =>
        {
            EngineStatus status = await user.RegisterAsync(ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "register", status);
            output.WriteLine($"registered {user.Id} at S1 and S2");
            return 0;
        }) : 1);

        var join = new Command("join", "Join a group at both servers and print its members.");
        foreach (Option o in common) join.Options.Add(o);
        join.Options.Add(group);
        join.SetAction(r => Parse(r) is { } c ? Run(output, c, createKey: false, async (user, ct) =>
        {
            EngineStatus status = await user.JoinAsync(r.GetValue(group)!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "join", status);
            (status, GroupView? view) = await user.GetGroupAsync(r.GetValue(group)!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "group", status);
            output.WriteLine($"joined {view!.Name} (epoch {view.Epoch}): {string.Join(", ", view.Members)}");
            return 0;
        }) : 1);

        var to = new Option<string>("--to") { Description = "The member to send to.", Required = true };
        var message = new Option<string>("--message") { Description = "The message text (UTF-8; long messages go in several blocks).", Required = true };
        var send = new Command("send", "Send a message to one member of a group in the round open now (the servers cannot tell who it is for).");
        foreach (Option o in common) send.Options.Add(o);
        foreach (Option o in new Option[] { group, to, message }) send.Options.Add(o);
        send.SetAction(r => Parse(r) is { } c ? Run(output, c, createKey: false, async (user, ct) =>
        {
            (EngineStatus status, GroupView? view) = await user.GetGroupAsync(r.GetValue(group)!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "group", status);
            int recipient = view!.IndexOf(r.GetValue(to)!);
            if (recipient < 0) { output.WriteLine($"error: '{r.GetValue(to)}' is not a member of {view.Name} ({string.Join(", ", view.Members)})"); return 1; }
            if (view.IndexOf(user.Id) < 0) { output.WriteLine($"error: {user.Id} is not a member of {view.Name}; join it first"); return 1; }
            List<byte[]> blocks = Fragments.Split(user.Parameters, ContentKind.Data, Encoding.UTF8.GetBytes(r.GetValue(message)!));
            (status, TwoServerSession? session) = await user.OpenSessionAsync(view, GroupPartition.ForRecipient(view.Members.Count, recipient), ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "session", status);
            long round;
            (status, round) = await user.SendBlocksAsync(session!, blocks, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "upload", status);
            output.WriteLine($"sent {blocks.Count} block(s) to {r.GetValue(to)} in round {round}; it arrives when the round closes (engine two-server fetch --round {round})");
            return 0;
        }) : 1);

        var roundOption = new Option<long?>("--round") { Description = "The round to fetch (default: the round open now, once it closes)." };
        var wait = new Option<double>("--wait") { Description = "Seconds to wait for the round to close.", DefaultValueFactory = _ => 60 };
        var fetch = new Command("fetch", "Wait for a round to close, fetch this member's inboxes from both servers, check them and print what arrived.");
        foreach (Option o in common) fetch.Options.Add(o);
        foreach (Option o in new Option[] { group, roundOption, wait, peers }) fetch.Options.Add(o);
        fetch.SetAction(r => Parse(r) is { } c ? Run(output, c, createKey: false, async (user, ct) =>
        {
            (EngineStatus status, GroupView? view) = await user.GetGroupAsync(r.GetValue(group)!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "group", status);
            (status, long open) = await user.GetRoundAsync(ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "round", status);
            long round = r.GetValue(roundOption) ?? open;
            var deadline = DateTime.UtcNow.AddSeconds(Math.Max(0, r.GetValue(wait)));
            while (open <= round)
            {
                if (DateTime.UtcNow > deadline) { output.WriteLine($"error: round {round} did not close within {r.GetValue(wait)} s (the servers close a round every --round-seconds)"); return 1; }
                await Task.Delay(250, ct).ConfigureAwait(false);
                (status, open) = await user.GetRoundAsync(ct).ConfigureAwait(false);
                if (status != EngineStatus.Ok) return Refused(output, "round", status);
            }
            (status, FetchedRound? fetched) = await user.FetchAsync(round, view!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "fetch", status);
            (var complete, int tampered) = fetched!.Reassemble();
            var messages = complete.Where(m => m.Kind == ContentKind.Data).ToList();
            output.WriteLine($"round {round}: {messages.Count} message(s) for {user.Id} (inboxes of {fetched.Messages.Count} entries, both servers' signatures checked)");
            foreach ((_, byte[] content) in messages) output.WriteLine($"  {Encoding.UTF8.GetString(content)}");
            foreach ((_, byte[] content) in complete.Where(m => m.Kind == ContentKind.DialAnswer)) DialPeers.CompleteDial(output, PeersOf(r, c), view!, content);
            if (tampered > 0) { output.WriteLine($"error: {tampered} entr(ies) failed their integrity check: a server altered them (keep the inboxes as evidence)"); return 1; }
            return 0;
        }) : 1);

        var kappa = new Option<int?>("--kappa") { Description = "Parts the group is split into for the request, 1 to n (default n: no other account can hold both of its shares)." };
        var dial = new Command("dial", "Leave a dial (g^x and this user's id) for one member in the servers' mailbox; it waits there until that member runs answer.");
        foreach (Option o in common) dial.Options.Add(o);
        foreach (Option o in new Option[] { group, to, kappa, peers }) dial.Options.Add(o);
        dial.SetAction(r => Parse(r) is { } c ? Run(output, c, createKey: false, async (user, ct) =>
        {
            (EngineStatus status, GroupView? view) = await user.GetGroupAsync(r.GetValue(group)!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "group", status);
            string callee = r.GetValue(to)!;
            int recipient = view!.IndexOf(callee), n = view.Members.Count;
            if (recipient < 0) { output.WriteLine($"error: '{callee}' is not a member of {view.Name} ({string.Join(", ", view.Members)})"); return 1; }
            if (view.IndexOf(user.Id) < 0) { output.WriteLine($"error: {user.Id} is not a member of {view.Name}; join it first"); return 1; }
            if (callee == user.Id) { output.WriteLine("error: a user cannot dial itself"); return 1; }
            int parts = r.GetValue(kappa) ?? n;
            if (parts < 1 || parts > n) { output.WriteLine($"error: --kappa is between 1 and the group size {n}, not {parts}"); return 1; }
            using Dial request = Dial.Start(DialPeers.Group);
            List<byte[]> fragments = Fragments.Split(user.Parameters, ContentKind.DialRequest, DialContent.Write(request.PublicElement, user.Id));
            var sessions = new List<(bool IsCover, TwoServerSession Session)>();
            foreach (OneToManyPart part in OneToManyPlan.ForDial(n, recipient, parts))
            {
                (status, TwoServerSession? session) = await user.OpenSessionAsync(view, part.Partition, ct).ConfigureAwait(false);
                if (status != EngineStatus.Ok) return Refused(output, "session", status);
                sessions.Add((part.IsCover, session!));
            }
            foreach (byte[] fragment in fragments)
                foreach ((bool isCover, TwoServerSession session) in sessions)
                {
                    (status, _) = await user.SendDialAsync(session, isCover ? default : fragment, cover: isCover, ct).ConfigureAwait(false);
                    if (status != EngineStatus.Ok) return Refused(output, "dial", status);
                }
            string saved = DialPeers.SaveDial(PeersOf(r, c), callee, request);
            output.WriteLine($"dialled {callee} in {view.Name} ({parts} part(s), {fragments.Count} fragment(s) each); the request waits in the servers' mailbox until {callee} runs "
                             + $"'engine two-server answer', and fetch then reads the answer; the exponent is kept in {saved} (owner-only) until then");
            return 0;
        }) : 1);

        var answer = new Command("answer", "Fetch this member's pending dials, answer each with g^y in the round open now, and save each shared key.");
        foreach (Option o in common) answer.Options.Add(o);
        foreach (Option o in new Option[] { group, peers }) answer.Options.Add(o);
        answer.SetAction(r => Parse(r) is { } c ? Run(output, c, createKey: false, async (user, ct) =>
        {
            (EngineStatus status, GroupView? view) = await user.GetGroupAsync(r.GetValue(group)!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "group", status);
            (status, FetchedRound? mailbox) = await user.FetchDialsAsync(view!, ct).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return Refused(output, "dials", status);
            (var contents, int tampered) = mailbox!.Reassemble();
            var requests = contents.Where(m => m.Kind == ContentKind.DialRequest).ToList();
            output.WriteLine($"{requests.Count} dial(s) for {user.Id} in {view!.Name} (mailbox of {mailbox.Messages.Count} entries, both servers' signatures checked)");
            foreach ((_, byte[] content) in requests)
            {
                if (DialContent.Read(DialPeers.Group.ElementSizeInBytes, content, out byte[] gx, out string caller) != EngineStatus.Ok || view.IndexOf(caller) < 0 || caller == user.Id)
                {
                    output.WriteLine("  a dial that names no other member of the group: ignored");
                    continue;
                }
                using Dial reply = Dial.Start(DialPeers.Group);
                byte[] key = GC.AllocateArray<byte>(Dial.KeySize, pinned: true);
                try
                {
                    status = reply.DeriveKey(gx, asCaller: false, key);
                    if (status != EngineStatus.Ok) { output.WriteLine($"  {caller}'s dial carries no valid element ({status}): ignored"); continue; }
                    (status, TwoServerSession? session) = await user.OpenSessionAsync(view, GroupPartition.ForRecipient(view.Members.Count, view.IndexOf(caller)), ct).ConfigureAwait(false);
                    if (status != EngineStatus.Ok) return Refused(output, "session", status);
                    long round;
                    (status, round) = await user.SendBlocksAsync(session!, Fragments.Split(user.Parameters, ContentKind.DialAnswer, DialContent.Write(reply.PublicElement, user.Id)), ct).ConfigureAwait(false);
                    if (status != EngineStatus.Ok) return Refused(output, "answer", status);
                    string fingerprint = DialPeers.Fingerprint(key);
                    string saved = DialPeers.SaveKey(PeersOf(r, c), caller, key);
                    output.WriteLine($"  answered {caller} in round {round}; shared key {fingerprint} saved to {saved}");
                }
                finally { CryptographicOperations.ZeroMemory(key); }
            }
            if (tampered > 0) { output.WriteLine($"error: {tampered} mailbox entr(ies) failed their integrity check: a server altered them"); return 1; }
            return 0;
        }) : 1);

        foreach (Command c in new[] { register, join, send, fetch, dial, answer }) twoServer.Subcommands.Add(c);
    }

    /// <summary>
    /// Uploads every block in the round open now. A round can close between asking for it and the last upload: then
    /// every block goes again in the next round (a recipient ignores a message whose blocks did not all arrive).
    /// </summary>
    private static int Refused(TextWriter output, string step, EngineStatus status)
    {
        string why = status switch
        {
            EngineStatus.VerificationFailed => "the servers disagree or an answer failed its check",
            EngineStatus.NotFound => "unknown user or group (register and join first)",
            EngineStatus.Replay => "already done",
            EngineStatus.Expired => "the round has closed; send again in the next one",
            _ => "refused",
        };
        output.WriteLine($"error: {step}: {status} ({why})");
        return 1;
    }

    private static int Run(TextWriter output, Connection c, bool createKey, Func<TwoServerUser, CancellationToken, Task<int>> action)
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        if (!createKey && !File.Exists(c.KeyFile)) { output.WriteLine($"error: no key file '{c.KeyFile}' (engine two-server register creates it)"); return 1; }
        byte[] s1Key, s2Key;
        try
        {
            s1Key = Convert.FromHexString(File.ReadAllText(c.S1KeyFile).Trim());
            s2Key = Convert.FromHexString(File.ReadAllText(c.S2KeyFile).Trim());
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            output.WriteLine($"error: cannot read a server's public key file: {e.Message}");
            return 1;
        }
        TwoServerParameters parameters;
        try { parameters = TwoServerParameters.ForBlockSize(c.Block); }
        catch (ArgumentException e) { output.WriteLine($"error: {e.Message}"); return 1; }
        using SchnorrSigningKey? key = ServeTwoServerCommand.LoadOrCreateKey(c.KeyFile, group, output);
        if (key is null) return 1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            return RunAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or EngineException or OperationCanceledException)
        {
            output.WriteLine($"error: {e.Message}");
            return 1;
        }

        async Task<int> RunAsync()
        {
            await using TwoServerTcpConnection one = await TwoServerTcpConnection.ConnectAsync(c.S1, timeout.Token).ConfigureAwait(false);
            await using TwoServerTcpConnection two = await TwoServerTcpConnection.ConnectAsync(c.S2, timeout.Token).ConfigureAwait(false);
            var user = new TwoServerUser(c.Id, parameters, key, one, two, s1Key, s2Key);
            return await action(user, timeout.Token).ConfigureAwait(false);
        }
    }
}
