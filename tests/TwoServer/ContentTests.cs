using System.Security.Cryptography;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;
using Engine.TwoServer;
using Engine.TwoServer.Content;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>Long messages in fragments, and the asynchronous dial of paper §5.3 through a round.</summary>
[TestFixture]
public sealed class ContentTests
{
    [TestCase(0), TestCase(1), TestCase(247), TestCase(248), TestCase(5000)]
    public void Fragments_SplitAndReassemble(int length)
    {
        TwoServerParameters p = TwoServerParameters.Default;
        byte[] content = RandomNumberGenerator.GetBytes(length);
        List<byte[]> payloads = Fragments.Split(p, ContentKind.Data, content);
        Assert.That(payloads, Has.All.Length.LessThanOrEqualTo(p.MaxPayload));
        Assert.That(payloads, Has.Count.EqualTo(Math.Max(1, (length + Fragments.DataPerFragment(p) - 1) / Fragments.DataPerFragment(p))));
        var fragments = payloads.Select(x => { Assert.That(Fragments.Read(x, out Fragment f), Is.EqualTo(EngineStatus.Ok)); return f; }).Reverse().ToList();
        var (kind, whole) = Fragments.Reassemble(fragments).Single();
        Assert.That((kind, whole), Is.EqualTo((ContentKind.Data, content)));
        if (fragments.Count > 1) Assert.That(Fragments.Reassemble(fragments.Skip(1)), Is.Empty, "an incomplete message is not delivered");
    }

    [Test, Category("Malformed")]
    public void Fragments_RejectBadHeaders()
    {
        Assert.That(Fragments.Read(new byte[6], out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Fragments.Read(new byte[] { 9, 0, 0, 0, 0, 0, 1 }, out _), Is.EqualTo(EngineStatus.Malformed));
        Assert.That(Fragments.Read(new byte[] { 1, 0, 0, 0, 0, 1, 1 }, out _), Is.EqualTo(EngineStatus.Malformed), "index ≥ count");
        Assert.That(Fragments.Read(new byte[] { 1, 0, 0, 0, 0, 0, 0 }, out _), Is.EqualTo(EngineStatus.Malformed), "count 0");
        Assert.Throws<ArgumentException>(() => Fragments.Split(TwoServerParameters.ForBlockSize(16), ContentKind.Data, new byte[255 * 7 + 1]));
    }

    [TestCase(1), TestCase(7), TestCase(40)]
    public void Dial_ThroughARound_AgreesOnAKey_AndOnlyTheCalleeGetsTheRequest(int kappa)
    {
        const int n = 40, alice = 17;                                             // Bob is any other member
        TwoServerParameters p = TwoServerParameters.Default;
        PrimeOrderGroup group = PrimeOrderGroups.Modp2048Q256;                     // g^x is 256 bytes: two fragments
        using Dial caller = Dial.Start(group);
        var round = new InProcessRound(p, n);
        List<byte[]> request = Fragments.Split(p, ContentKind.DialRequest, caller.PublicElement);
        Assert.That(request, Has.Count.EqualTo(2));
        foreach (byte[] fragment in request)
            foreach (OneToManyPart part in OneToManyPlan.ForDial(n, alice, kappa))
                round.Send(part.Partition, part.IsCover ? default : fragment, part.IsCover);
        for (int u = 0; u < n; u++)
        {
            var accepted = round.Receive(u).Where(m => m.Verdict == RecordVerdict.Accepted).ToList();
            Assert.That(accepted, Has.Count.EqualTo(u == alice ? 2 : 0), $"user {u}");
            Assert.That(round.Receive(u), Has.Count.EqualTo(2), "every user gets one entry per fragment, whatever κ");
        }
        var fragments = round.Receive(alice).Where(m => m.Verdict == RecordVerdict.Accepted)
                             .Select(m => { Fragments.Read(m.Payload, out Fragment f); return f; });
        (ContentKind kind, byte[] gx) = Fragments.Reassemble(fragments).Single();
        Assert.That(kind, Is.EqualTo(ContentKind.DialRequest));

        using Dial callee = Dial.Start(group);
        byte[] aliceKey = new byte[Dial.KeySize], bobKey = new byte[Dial.KeySize];
        Assert.That(callee.DeriveKey(gx, asCaller: false, aliceKey), Is.EqualTo(EngineStatus.Ok));
        Assert.That(caller.DeriveKey(callee.PublicElement, asCaller: true, bobKey), Is.EqualTo(EngineStatus.Ok));
        Assert.That(bobKey, Is.EqualTo(aliceKey));

        // Message bodies sealed end to end under k.
        using var send = new AeadChannel(bobKey, AeadDirection.Forward);
        using var receive = new AeadChannel(aliceKey, AeadDirection.Forward);
        byte[] body = "meet at noon"u8.ToArray(), sealedBody = new byte[body.Length + AeadChannel.Overhead], opened = new byte[body.Length];
        send.Seal(body, default, sealedBody);
        Assert.That(receive.Open(sealedBody, default, opened), Is.EqualTo(EngineStatus.Ok));
        Assert.That(opened, Is.EqualTo(body));
    }

    [Test, Category("Malformed")]
    public void Dial_RejectsElementsOutsideTheGroup()
    {
        using Dial d = Dial.Start(PrimeOrderGroups.Modp2048Q256);
        byte[] key = new byte[Dial.KeySize];
        byte[] one = new byte[256];
        one[^1] = 1;
        Assert.That(d.DeriveKey(one, true, key), Is.EqualTo(EngineStatus.IdentityElement));
        Assert.That(d.DeriveKey(new byte[255], true, key), Is.EqualTo(EngineStatus.BadLength));
        byte[] two = new byte[256];
        two[^1] = 2;                                                                // 2 is not in the order-q subgroup
        Assert.That(d.DeriveKey(two, true, key), Is.EqualTo(EngineStatus.NotInSubgroup));
        Assert.That(key, Is.All.Zero);
    }

    [Test]
    public void Dial_ExportedAndRestored_DerivesTheSameKey()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Modp2048Q256;
        using Dial caller = Dial.Start(group), callee = Dial.Start(group);
        byte[] secret = new byte[PrimeOrderGroup.ScalarSizeInBytes];
        caller.ExportSecret(secret);
        Assert.That(Dial.Restore(group, secret, out Dial? restored), Is.EqualTo(EngineStatus.Ok));
        using (restored)
        {
            Assert.That(restored!.PublicElement, Is.EqualTo(caller.PublicElement), "the restored exponent gives the same g^x");
            byte[] k1 = new byte[Dial.KeySize], k2 = new byte[Dial.KeySize];
            Assert.That(restored.DeriveKey(callee.PublicElement, asCaller: true, k1), Is.EqualTo(EngineStatus.Ok));
            Assert.That(callee.DeriveKey(caller.PublicElement, asCaller: false, k2), Is.EqualTo(EngineStatus.Ok));
            Assert.That(k1, Is.EqualTo(k2));
        }
    }

    [Test, Category("Malformed")]
    public void Dial_Restore_RefusesWhatIsNotAnExponent()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Modp2048Q256;
        Assert.That(Dial.Restore(group, new byte[32], out Dial? d), Is.EqualTo(EngineStatus.ScalarOutOfRange), "zero");
        Assert.That(d, Is.Null);
        Assert.That(Dial.Restore(group, Enumerable.Repeat((byte)0xff, 32).ToArray(), out _), Is.EqualTo(EngineStatus.ScalarOutOfRange), "above q");
        Assert.That(Dial.Restore(group, new byte[31], out _), Is.EqualTo(EngineStatus.BadLength));
    }

    [Test]
    public void DialContent_CarriesTheElementAndTheSendersId()
    {
        byte[] element = RandomNumberGenerator.GetBytes(256);
        byte[] content = DialContent.Write(element, "bób");
        Assert.That(content, Has.Length.EqualTo(256 + 4), "ó is two UTF-8 bytes");
        Assert.That(DialContent.Read(256, content, out byte[] read, out string id), Is.EqualTo(EngineStatus.Ok));
        Assert.That((read, id), Is.EqualTo((element, "bób")));
    }

    [Test, Category("Malformed")]
    public void DialContent_RefusesShortContentAndBadIds()
    {
        Assert.That(DialContent.Read(256, new byte[256], out _, out _), Is.EqualTo(EngineStatus.BadLength), "no id");
        Assert.That(DialContent.Read(256, new byte[256 + 256], out _, out _), Is.EqualTo(EngineStatus.BadLength), "id over 255 bytes");
        byte[] badUtf8 = new byte[258];
        badUtf8[256] = 0xc3;
        badUtf8[257] = 0x28;
        Assert.That(DialContent.Read(256, badUtf8, out _, out _), Is.EqualTo(EngineStatus.Malformed));
        Assert.Throws<ArgumentException>(() => DialContent.Write(new byte[256], ""));
        Assert.Throws<ArgumentException>(() => DialContent.Write(new byte[256], new string('x', 256)));
    }
}
