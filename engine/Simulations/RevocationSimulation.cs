using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Engine.Hosting;
using Engine.Hosting.Revocation;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Revocation;
using Engine.Revocation.Abe;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using Engine.Revocation.Storage;
using Engine.Hosting.Framing;

namespace Engine.Simulations;

/// <summary>What <see cref="RevocationSimulation"/> runs.</summary>
/// <param name="Authorities">Encryption authorities (the first also keeps the ring).</param>
/// <param name="Attributes">Attribute counts n: policies of n attributes and rings of n attributes (the paper's Figure 2 x axis).</param>
/// <param name="Users">User counts for the revocation points.</param>
/// <param name="PayloadBytes">Bytes of each stored record (the paper uses 512 kB).</param>
/// <param name="Repeat">Repetitions per measured operation (median and spread reported).</param>
public sealed record RevocationSimulationOptions(int Authorities, IReadOnlyList<int> Attributes, IReadOnlyList<int> Users, int PayloadBytes = 512 * 1024, int Repeat = 3);

/// <summary>A median with its spread, in milliseconds.</summary>
public sealed record Timing(double Median, double Min, double Max)
{
    internal static Timing Of(IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToList();
        return new Timing(sorted[sorted.Count / 2], sorted[0], sorted[^1]);
    }
}

/// <summary>One attribute count: the algorithms' times (Figure 2), the sizes (Table 1) and the operation counts (Table 2).</summary>
public sealed record AttributePointReport(
    int Attributes,
    Timing KeygenMs, Timing EncryptMs, Timing DecryptMs, Timing SignMs, Timing VerifyMs, Timing AccessRoundTripMs,
    long AuthorityPublicKeyBytes, long RingPublicKeyBytes, long DecryptionKeysBytes, long RingSigningKeyBytes, long SignatureBytes,
    long CiphertextHeaderBytes, long CiphertextBytes, long TokenBytes,
    IReadOnlyDictionary<string, string> OperationCounts, int Failures);

/// <summary>One user count: the revocation costs on both sides, each the median over <see cref="Revocations"/> revocations (of different users).</summary>
public sealed record UserPointReport(
    int Users, int Ciphertexts,
    double AuthorityRevokeMs, double PerRemainingHolderMs, double CspUpdateMs, int RowsUpdated, double PerRowMs,
    double RingRevokeMs, double PerRemainingMemberMs, int Failures)
{
    /// <summary>Revocations measured at this point.</summary>
    public int Revocations { get; init; } = 1;

    /// <summary>The authority's key updates, the CSP's row updates and the ring re-key: median, min and max (ms).</summary>
    public Timing? AuthorityRevoke { get; init; }

    /// <inheritdoc cref="AuthorityRevoke"/>
    public Timing? CspUpdate { get; init; }

    /// <inheritdoc cref="AuthorityRevoke"/>
    public Timing? RingRevoke { get; init; }
}

/// <summary>The whole run.</summary>
public sealed record RevocationSimulationReport(string Cpu, int Authorities, int PayloadBytes, int Repeat, string Method,
                                                IReadOnlyList<AttributePointReport> AttributePoints, IReadOnlyList<UserPointReport> UserPoints);

/// <summary>
/// <c>engine simulate revocation</c> (Protocol 4 end to end): authorities, a source CSP and an accepting CSP as Kestrel
/// servers on 127.0.0.1, and users that are granted, fetch keys, ring-sign access requests for tokens and fetch and
/// decrypt records over TCP. Reports the paper's Figure 2 (time per algorithm against the number of attributes, and
/// revocation against the number of users), Table 1 (sizes) and Table 2 (hash, pairing and exponentiation counts).
/// </summary>
public static class RevocationSimulation
{
    /// <summary>Runs every point; <paramref name="progress"/> gets (point, steps done, steps).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<RevocationSimulationReport> RunAsync(RevocationSimulationOptions options, Action<string, int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Authorities is < 1 or > 16) throw new ArgumentException("--authorities is 1 to 16");
        if (options.Attributes.Count == 0 || options.Attributes.Any(n => n is < 1 or > 120)) throw new ArgumentException("attribute counts are 1 to 120 (the ring policy's columns are bounded by t_max = 128)");
        if (options.Users.Any(n => n is < 2 or > 100_000)) throw new ArgumentException("user counts are 2 to 100000");
        if (options.PayloadBytes is < 0 or > 4 << 20) throw new ArgumentException("--payload is at most 4 MiB (one frame)");
        if (options.Repeat is < 1 or > 20) throw new ArgumentException("--repeat is 1 to 20");

        var attributePoints = new List<AttributePointReport>();
        foreach (int n in options.Attributes)
        {
            await using var net = await Network.StartAsync(options.Authorities, $"ring-n{n}").ConfigureAwait(false);
            attributePoints.Add(await MeasureAttributesAsync(net, n, options, (d, t) => progress?.Invoke($"{n} attributes", d, t), cancellationToken).ConfigureAwait(false));
        }
        var userPoints = new List<UserPointReport>();
        foreach (int u in options.Users)
        {
            await using var net = await Network.StartAsync(options.Authorities, $"ring-u{u}").ConfigureAwait(false);
            userPoints.Add(await MeasureUsersAsync(net, u, options, (d, t) => progress?.Invoke($"{u} users", d, t), cancellationToken).ConfigureAwait(false));
        }
        string method = $"measured over loopback TCP on one machine, each operation {options.Repeat}× (median, min–max); sizes are encoded bytes; operation counts are counted from the algorithms as implemented";
        return new RevocationSimulationReport(MachineInfo.CpuModel(), options.Authorities, options.PayloadBytes, options.Repeat, method, attributePoints, userPoints);
    }

    /// <summary>The report as indented JSON.</summary>
    public static string ToJson(RevocationSimulationReport report) => JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The servers of one point and the operator's keys.</summary>
    private sealed class Network : IAsyncDisposable
    {
        public required SchnorrSigningKey Admin { get; init; }
        public required RevocationAdmin Operator { get; init; }
        public required List<Authority> Authorities { get; init; }
        public required SourceCsp Source { get; init; }
        public required AcceptingCsp Accepting { get; init; }
        public required EngineHost Host { get; init; }
        public required List<RevocationServer> Servers { get; init; }
        public required List<RevocationTcpConnection> ToAuthorities { get; init; }
        public required RevocationTcpConnection ToSource { get; init; }
        public required RevocationTcpConnection ToAccepting { get; init; }
        public required SchnorrSigningKey CspSigning { get; init; }
        public required HashedElGamalKey CspEncryption { get; init; }

        public string AuthorityName(int i) => Authorities[i].Encryption!.Name;

        public static async Task<Network> StartAsync(int authorityCount, string ringId)
        {
            var admin = SchnorrSigningKey.Generate(RevocationParameters.Group);
            var authorities = new List<Authority>();
            for (int i = 0; i < authorityCount; i++)
                authorities.Add(new Authority(AttributeAuthority.Create($"A{i + 1}"), i == 0 ? SignatureAuthority.Create("A1", ringId) : null, admin.PublicKey));
            var host = new EngineHost();
            SourceCsp source = host.CreateSourceCsp("csp-source", SchnorrSigningKey.Generate(RevocationParameters.Group), authorities[0].Signatures!.PublicKey, authorities[0].Signatures!.Ring);
            AcceptingCsp accepting = host.CreateAcceptingCsp("csp-accepting", admin.PublicKey, new Dictionary<string, byte[]> { ["csp-source"] = source.TokenPublicKey.ToArray() },
                                                             authorities.Select(a => a.Encryption!.PublicKey), new InMemoryCiphertextStore(), new AcceptingCspOptions { RingId = ringId });
            var servers = new List<RevocationServer>();
            foreach (IRevocationRole role in authorities.Cast<IRevocationRole>().Append(source).Append(accepting))
            {
                var server = new RevocationServer(role) { Limits = ConnectionLimits.LoopbackSimulation };
                await server.StartAsync(IPAddress.Loopback, 0).ConfigureAwait(false);
                servers.Add(server);
            }
            var toAuthorities = servers.Take(authorityCount).Select(s => new RevocationTcpConnection(s.EndPoint!)).ToList();
            var cspSigning = SchnorrSigningKey.Generate(RevocationParameters.Group);
            var cspEncryption = HashedElGamalKey.Generate(RevocationParameters.Group);
            var op = new RevocationAdmin(admin);
            var network = new Network
            {
                Admin = admin, Operator = op, Authorities = authorities, Source = source, Accepting = accepting, Host = host, Servers = servers,
                ToAuthorities = toAuthorities, ToSource = new RevocationTcpConnection(servers[^2].EndPoint!), ToAccepting = new RevocationTcpConnection(servers[^1].EndPoint!),
                CspSigning = cspSigning, CspEncryption = cspEncryption,
            };
            var cspClient = new RevocationAdmin(cspSigning);
            foreach (RevocationTcpConnection a in toAuthorities) await op.GrantAsync(a, true, "csp-accepting", cspSigning.PublicKey.ToArray(), cspEncryption.PublicKey.ToArray(), []).ConfigureAwait(false);
            accepting.UpdateSource = async ct =>
            {
                var keys = new List<CiphertextUpdateKey>();
                foreach (RevocationTcpConnection a in toAuthorities) keys.AddRange((await cspClient.FetchCiphertextUpdatesAsync(a, "csp-accepting", cspEncryption, 0, ct).ConfigureAwait(false)).Keys);
                return keys;
            };
            return network;
        }

        /// <summary>Grants a user its attributes at every authority that owns one (and the ring at A1) and fetches its keys.</summary>
        public async Task<RevocationUser> EnrolAsync(string gid, IReadOnlyList<string> attributes, IReadOnlyList<string> ringAttributes, CancellationToken ct)
        {
            var user = RevocationUser.Create(gid);
            for (int i = 0; i < Authorities.Count; i++)
            {
                var own = attributes.Where(a => RevocationParameters.AuthorityOf(a) == AuthorityName(i)).ToList();
                if (i == 0) own.AddRange(ringAttributes.Where(a => !own.Contains(a)));
                if (own.Count == 0) continue;
                await Operator.GrantAsync(ToAuthorities[i], false, gid, user.SigningKey.PublicKey.ToArray(), user.EncryptionKey.PublicKey.ToArray(), own, ct).ConfigureAwait(false);
                await user.FetchKeysAsync(ToAuthorities[i], cancellationToken: ct).ConfigureAwait(false);
            }
            return user;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (RevocationTcpConnection c in ToAuthorities) await c.DisposeAsync().ConfigureAwait(false);
            await ToSource.DisposeAsync().ConfigureAwait(false);
            await ToAccepting.DisposeAsync().ConfigureAwait(false);
            foreach (RevocationServer s in Servers) await s.DisposeAsync().ConfigureAwait(false);
            foreach (Authority a in Authorities) a.Dispose();
            Host.Dispose();
            Admin.Dispose();
            CspSigning.Dispose();
            CspEncryption.Dispose();
        }
    }

    private static async Task<AttributePointReport> MeasureAttributesAsync(Network net, int n, RevocationSimulationOptions options, Action<int, int> progress, CancellationToken ct)
    {
        int steps = 2 + 6 * (options.Repeat + 1), done = 0;
        void Step() => progress(++done, steps);
        // n attributes spread over the authorities; a ring of n attributes, one member each (the holder is member 0).
        string[] attributes = [.. Enumerable.Range(0, n).Select(i => $"attr{i}@{net.AuthorityName(i % net.Authorities.Count)}")];
        string[] ringAttributes = [.. Enumerable.Range(0, n).Select(i => $"member{i}@A1")];
        using RevocationUser holder = await net.EnrolAsync("holder", attributes, [ringAttributes[0]], ct).ConfigureAwait(false);
        for (int i = 1; i < n; i++) (await net.EnrolAsync($"member-{i}", [], [ringAttributes[i]], ct).ConfigureAwait(false)).Dispose();
        Step();
        SignatureAuthority signatures = net.Authorities[0].Signatures!;
        net.Source.UpdateRing(signatures.PublicKey, signatures.Ring);
        RingSigningKey ringKey = holder.RingKey!;
        if (ringKey.Epoch != signatures.Ring.Epoch || holder.RingKey!.RingId != signatures.Ring.Id) throw new InvalidOperationException("the holder's ring key is stale");
        // The holder's ring key was issued before the other members joined; the ring grew but the epoch did not change.
        Policy and = Policy.Parse(string.Join(" AND ", attributes)), ringPolicy = Policy.Parse(string.Join(" OR ", ringAttributes));
        byte[] payload = RandomNumberGenerator.GetBytes(options.PayloadBytes);
        Step();

        var keygen = new List<double>(); var encrypt = new List<double>(); var decrypt = new List<double>();
        var sign = new List<double>(); var verify = new List<double>(); var access = new List<double>();
        int failures = 0;
        byte[] ciphertext = [], token = [], signatureBytes = [];
        long keysBytes = 0;
        // Rounds −2 and −1 warm every path up (JIT tiers, fixed-base tables, prepared lines) and are not recorded.
        for (int r = -2; r < options.Repeat; r++)
        {
            bool record = r >= 0;
            // Keygen: the holder's n decryption keys, from every authority, round trips included.
            var sw = Stopwatch.StartNew();
            using (var fresh = RevocationUser.Create($"keygen-{r}"))
            {
                for (int i = 0; i < net.Authorities.Count; i++)
                {
                    var own = attributes.Where(a => RevocationParameters.AuthorityOf(a) == net.AuthorityName(i)).ToList();
                    if (own.Count == 0) continue;
                    await net.Operator.GrantAsync(net.ToAuthorities[i], false, fresh.Gid, fresh.SigningKey.PublicKey.ToArray(), fresh.EncryptionKey.PublicKey.ToArray(), own, ct).ConfigureAwait(false);
                    await fresh.FetchKeysAsync(net.ToAuthorities[i], cancellationToken: ct).ConfigureAwait(false);
                }
                if (record) keygen.Add(sw.Elapsed.TotalMilliseconds);
                keysBytes = fresh.Keys.Keys.Values.Sum(k => (long)k.Encode().Length);
            }
            Step();
            // Encrypt: the accepting CSP encrypts the record (stored through the owner's signed request).
            sw.Restart();
            await net.Operator.StoreAsync(net.ToAccepting, $"record-{r}", and.Text, payload, ct).ConfigureAwait(false);
            if (record) encrypt.Add(sw.Elapsed.TotalMilliseconds);
            ciphertext = net.Accepting.Store.Get($"record-{r}")!;
            Step();
            // Sign (local) and Verify (the source CSP's answer, minus nothing: the round trip is the verification's cost seen by the user).
            byte[] message = Engine.Revocation.Access.AccessRequest.Create("csp-accepting", $"record-{r}", TimeProvider.System).Encode();
            sw.Restart();
            RingSignature signature = RingSigner.Sign(ringKey, signatures.PublicKey, signatures.Ring, ringPolicy, message);
            if (record) sign.Add(sw.Elapsed.TotalMilliseconds);
            signatureBytes = signature.Encode();
            Step();
            sw.Restart();
            var verifier = new RingVerifier(signatures.PublicKey);
            if (verifier.Verify(signatures.Ring, ringPolicy, message, signature) != EngineStatus.Ok) failures++;
            if (record) verify.Add(sw.Elapsed.TotalMilliseconds);
            Step();
            // The whole access: token from the source CSP, fetch from the accepting CSP.
            sw.Restart();
            token = await holder.RequestTokenAsync(net.ToSource, signatures.PublicKey, ringPolicy, "csp-accepting", $"record-{r}", cancellationToken: ct).ConfigureAwait(false);
            byte[] fetched = await RevocationUser.FetchAsync(net.ToAccepting, token, ct).ConfigureAwait(false);
            if (record) access.Add(sw.Elapsed.TotalMilliseconds);
            Step();
            sw.Restart();
            byte[] plain = holder.Decrypt(fetched);
            if (record) decrypt.Add(sw.Elapsed.TotalMilliseconds);
            if (!plain.AsSpan().SequenceEqual(payload)) failures++;
            Step();
        }
        int headerBytes = 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ciphertext);
        int used = n;                                  // an AND uses every row
        var counts = new Dictionary<string, string>
        {
            ["Setup (per authority)"] = "hashes 0, pairings 0 (e(g1,g2) once, globally), exponentiations 1 Gt + 1 G1",
            ["Setup (signature authority)"] = $"hashes {2 + signatures.PublicKey.MaxColumns} to G2, pairings 0, exponentiations {2 * signatures.PublicKey.MaxColumns + 2} (G2 + G1)",
            ["Keygen (per attribute)"] = "hashes 2 to G2 (H(GID), F(u)), pairings 0, exponentiations 3 G2 + 1 G1",
            ["Keygen (ring key)"] = $"hashes {1 + signatures.PublicKey.DefaultCount} to Z_r, pairings 0, exponentiations {2 + 1 + signatures.PublicKey.DefaultCount} G1",
            ["Encrypt"] = $"hashes {and.DistinctAttributes.Count} to G2 (cached after first use), pairings 0, exponentiations {2 * n + 1} Gt + {3 * n} G1 + {n} G2",
            ["Signature"] = $"hashes {n + 1} to Z_r, pairings 0, exponentiations {2 * n + 3} G1 + {2 * ringPolicy.Matrix.ColumnCount} G2",
            ["Verify"] = $"hashes {n + 1} to Z_r, pairings {2 * ringPolicy.Matrix.ColumnCount + 4} Miller loops + 1 final exponentiation, exponentiations {2 * n + 4} G1 + {ringPolicy.Matrix.ColumnCount} G2",
            ["Decrypt"] = $"hashes 0, pairings {2 * used + 1} Miller loops + 1 final exponentiation, exponentiations 0 (AND: coefficients are 1)",
            ["Revoke (per remaining holder)"] = "hashes 1 to G2, pairings 0, exponentiations 1 G2",
            ["Revoke (per ciphertext row, CSP)"] = "hashes 0, pairings 1, exponentiations 1 G1",
        };
        return new AttributePointReport(n, Timing.Of(keygen), Timing.Of(encrypt), Timing.Of(decrypt), Timing.Of(sign), Timing.Of(verify), Timing.Of(access),
            net.Authorities.Sum(a => (long)a.Encryption!.PublicKey.Encode().Length), signatures.PublicKey.Encode().Length, keysBytes, ringKey.Encode().Length,
            signatureBytes.Length, headerBytes, ciphertext.Length, token.Length, counts, failures);
    }

    private static async Task<UserPointReport> MeasureUsersAsync(Network net, int userCount, RevocationSimulationOptions options, Action<int, int> progress, CancellationToken ct)
    {
        const int ciphertexts = 8;
        int steps = userCount + ciphertexts + 3, done = 0;
        void Step() => progress(++done, steps);
        string shared = "staff@A1";
        var users = new List<RevocationUser>();
        for (int i = 0; i < userCount; i++)
        {
            users.Add(await net.EnrolAsync($"user-{i}", [shared], [$"id{i}@A1"], ct).ConfigureAwait(false));
            Step();
        }
        byte[] payload = RandomNumberGenerator.GetBytes(Math.Min(options.PayloadBytes, 64 * 1024));
        for (int c = 0; c < ciphertexts; c++)
        {
            await net.Operator.StoreAsync(net.ToAccepting, $"doc-{c}", $"{shared} OR audit@A1", payload, ct).ConfigureAwait(false);
            Step();
        }
        int failures = 0;
        // Up to Repeat revocations of different users (user-0, user-1, …), each measured; at least one member stays.
        int revocations = Math.Max(1, Math.Min(options.Repeat, userCount - 1));
        var revokeMs = new List<double>(); var cspMs = new List<double>(); var ringMs = new List<double>();
        int remaining = 0, rows = 0, members = 0;
        for (int r = 0; r < revocations; r++)
        {
            // Decryption side: revoke the user's staff attribute; every remaining holder gets a key update; the CSP updates rows.
            var sw = Stopwatch.StartNew();
            remaining = await net.Operator.RevokeAsync(net.ToAuthorities[0], $"user-{r}", shared, ct).ConfigureAwait(false);
            revokeMs.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            (rows, _) = await net.Operator.SyncAsync(net.ToAccepting, ct).ConfigureAwait(false);
            cspMs.Add(sw.Elapsed.TotalMilliseconds);
            // Signing side: revoke the user from the ring; every remaining member is re-keyed for the next epoch.
            sw.Restart();
            members = await net.Operator.RevokeAsync(net.ToAuthorities[0], $"user-{r}", null, ct).ConfigureAwait(false);
            ringMs.Add(sw.Elapsed.TotalMilliseconds);
            net.Source.UpdateRing(net.Authorities[0].Signatures!.PublicKey, net.Authorities[0].Signatures!.Ring);
        }
        Step();
        Step();
        // Check: a remaining user (after its updates) decrypts an updated record; the revoked one does not.
        RevocationUser kept = users[^1], revoked = users[0];
        await kept.FetchUpdatesAsync(net.ToAuthorities[0], "A1", cancellationToken: ct).ConfigureAwait(false);
        byte[] stored = net.Accepting.Store.Get("doc-0")!;
        try { if (!kept.Decrypt(stored).AsSpan().SequenceEqual(payload)) failures++; }
        catch (EngineException) { failures++; }
        try { revoked.Decrypt(stored); failures++; }
        catch (EngineException) { }
        Policy ringPolicy = Policy.Parse($"id{userCount - 1}@A1 OR id0@A1");
        try { await revoked.RequestTokenAsync(net.ToSource, net.Authorities[0].Signatures!.PublicKey, ringPolicy, "csp-accepting", "doc-0", cancellationToken: ct).ConfigureAwait(false); failures++; }
        catch (Exception e) when (e is EngineException or PolicyException) { }
        Step();
        foreach (RevocationUser u in users) u.Dispose();
        Timing revoke = Timing.Of(revokeMs), csp = Timing.Of(cspMs), ring = Timing.Of(ringMs);
        return new UserPointReport(userCount, ciphertexts, revoke.Median, revoke.Median / Math.Max(1, remaining), csp.Median, rows, csp.Median / Math.Max(1, rows),
                                   ring.Median, ring.Median / Math.Max(1, members), failures)
        {
            Revocations = revocations, AuthorityRevoke = revoke, CspUpdate = csp, RingRevoke = ring,
        };
    }

}
