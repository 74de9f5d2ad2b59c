using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Integrity;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>Paper §5.3.1: keys established without a PKI, and evidence that blames the party that deviated.</summary>
[TestFixture]
public sealed class IntegrityTests
{
    private static readonly PrimeOrderGroup Group = PrimeOrderGroups.Bls12381G1;

    [Test]
    public void KeyRegistration_AcceptsTheSameKey_AndAbortsOnAMismatch()
    {
        using SchnorrSigningKey s1 = SchnorrSigningKey.Generate(Group), s2 = SchnorrSigningKey.Generate(Group);
        using SchnorrSigningKey bob = SchnorrSigningKey.Generate(Group), other = SchnorrSigningKey.Generate(Group);
        byte[] receipt1 = KeyRegistration.Receipt(s1, 1, "bob", bob.PublicKey), receipt2 = KeyRegistration.Receipt(s2, 2, "bob", bob.PublicKey);
        Assert.That(KeyRegistration.CrossCheck(Group, s2.PublicKey, 2, "bob", bob.PublicKey, bob.PublicKey, receipt2), Is.EqualTo(EngineStatus.Ok));
        Assert.That(KeyRegistration.CrossCheck(Group, s1.PublicKey, 1, "bob", bob.PublicKey, bob.PublicKey, receipt1), Is.EqualTo(EngineStatus.Ok));

        // Bob shows S2 another key: S1 sees S2's (honest) receipt for a different key and aborts; so does S2.
        byte[] receiptOther = KeyRegistration.Receipt(s2, 2, "bob", other.PublicKey);
        Assert.That(KeyRegistration.CrossCheck(Group, s2.PublicKey, 2, "bob", bob.PublicKey, other.PublicKey, receiptOther), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(KeyRegistration.CrossCheck(Group, s1.PublicKey, 1, "bob", other.PublicKey, bob.PublicKey, receipt1), Is.EqualTo(EngineStatus.VerificationFailed));
        // A receipt for another user, or from the wrong server, does not verify.
        Assert.That(KeyRegistration.CrossCheck(Group, s2.PublicKey, 2, "eve", bob.PublicKey, bob.PublicKey, receipt2), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(KeyRegistration.CrossCheck(Group, s1.PublicKey, 2, "bob", bob.PublicKey, bob.PublicKey, receipt2), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(KeyRegistration.CrossCheck(Group, s2.PublicKey, 2, "bob", new byte[48], bob.PublicKey, receipt2), Is.Not.EqualTo(EngineStatus.Ok));
    }

    private sealed class Scenario : IDisposable
    {
        public const int N = 8, Recipient = 5;
        public const long Round = 42;
        public readonly TwoServerParameters P = TwoServerParameters.ForBlockSize(16);
        public readonly SchnorrSigningKey Sender = SchnorrSigningKey.Generate(Group), S1 = SchnorrSigningKey.Generate(Group), S2 = SchnorrSigningKey.Generate(Group);
        public readonly GroupPartition Partition = GroupPartition.ForRecipient(N, Recipient);
        public readonly byte[] Shares;
        public ulong MessageId = 0x1122334455667788;

        public Scenario(bool malformedSender = false)
        {
            Shares = new byte[4 * P.RecordSize];
            MessageSharer.CreateShares(P, Partition, "hello"u8, false, Shares);
            if (malformedSender) Shares[ShareLayout.Index(2, 1 - Partition.RecipientSideAtS1) * P.RecordSize] ^= 0x40;   // Bob corrupts m_2 before signing
        }

        public byte[] UploadShares(int server) => Shares.AsSpan(2 * (server - 1) * P.RecordSize, 2 * P.RecordSize).ToArray();

        public byte[] Partition_(int server) => (server == 1 ? Partition.ForS1 : Partition.ForS2).Encode();

        public byte[] Sign(SchnorrSigningKey key, byte[] message)
        {
            byte[] signature = new byte[SchnorrSignature.SizeInBytes(Group)];
            SchnorrSignature.Sign(key, message, signature);
            return signature;
        }

        /// <summary>The evidence from one server, with an optional change to the share it delivers.</summary>
        public ShareEvidence Evidence(int server, bool tamper = false, bool forgeServerSignature = false)
        {
            var upload = new ServerUpload(MessageId, server == 1 ? Partition.ForS1 : Partition.ForS2, UploadShares(server));
            byte[] inbox = new byte[FanOut.InboxSize([upload], Recipient, P.RecordSize)];
            FanOut.WriteInbox([upload], Recipient, P.RecordSize, inbox);
            if (tamper) inbox[^3] ^= 1;
            byte[] serverSignature = Sign(forgeServerSignature ? Sender : server == 1 ? S1 : S2, SignedMessages.Delivery(Round, server, Recipient, inbox));
            byte[] senderSignature = Sign(Sender, SignedMessages.Upload(Round, MessageId, server, Partition_(server), UploadShares(server)));
            return new ShareEvidence(inbox, serverSignature, Partition_(server), UploadShares(server), senderSignature);
        }

        public Culprit Judge(ShareEvidence e1, ShareEvidence e2)
            => Dispute.Judge(P, Group, Round, MessageId, Recipient, N, Sender.PublicKey, S1.PublicKey, S2.PublicKey, e1, e2);

        public void Dispose() { Sender.Dispose(); S1.Dispose(); S2.Dispose(); }
    }

    [Test]
    public void Dispute_BlamesExactlyThePartyThatDeviated()
    {
        using (var s = new Scenario())
        {
            Assert.That(s.Judge(s.Evidence(1), s.Evidence(2)), Is.EqualTo(Culprit.None), "honest run: a false accusation proves nothing");
            Assert.That(s.Judge(s.Evidence(1, tamper: true), s.Evidence(2)), Is.EqualTo(Culprit.S1));
            Assert.That(s.Judge(s.Evidence(1), s.Evidence(2, tamper: true)), Is.EqualTo(Culprit.S2));
            Assert.That(s.Judge(s.Evidence(1, forgeServerSignature: true), s.Evidence(2)), Is.EqualTo(Culprit.Unproven), "a member cannot frame S1");
            ShareEvidence unsigned = s.Evidence(1) with { SenderSignature = new byte[SchnorrSignature.SizeInBytes(Group)] };
            Assert.That(s.Judge(unsigned, s.Evidence(2)), Is.EqualTo(Culprit.S1), "S1 cannot show the sender's signature");
            ShareEvidence otherShares = s.Evidence(2) with { Shares = s.UploadShares(1) };
            Assert.That(s.Judge(s.Evidence(1), otherShares), Is.EqualTo(Culprit.S2), "S2 claims an upload the sender did not sign");
        }
        using (var s = new Scenario(malformedSender: true))
        {
            // The receiver sees a tampered record, but both servers delivered exactly what the sender signed.
            Assert.That(s.Judge(s.Evidence(1), s.Evidence(2)), Is.EqualTo(Culprit.Sender), "a malicious sender cannot frame an honest server");
        }
    }
}
