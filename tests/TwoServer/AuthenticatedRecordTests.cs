using System.Numerics;
using System.Security.Cryptography;
using Engine.TwoServer;
using Engine.TwoServer.Records;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>Paper §4.4–4.5: C(m̂, r) = m̂·r mod q, checked against BigInteger; every single-bit change is detected.</summary>
[TestFixture]
public sealed class AuthenticatedRecordTests
{
    private static BigInteger Field(TwoServerParameters p, byte[] record, int index) => new(record.AsSpan(index * p.FieldSize, p.FieldSize), isUnsigned: true, isBigEndian: true);

    private static BigInteger Q(TwoServerParameters p) => BigInteger.Pow(2, 8 * p.BlockSize + 1) + p.PrimeOffset;

    [TestCase(16), TestCase(256)]
    public void RealAndNoiseRecords_MatchTheFormula_AndVerify(int blockSize)
    {
        TwoServerParameters p = TwoServerParameters.ForBlockSize(blockSize);
        byte[] record = new byte[p.RecordSize];
        for (int i = 0; i < 50; i++)
        {
            byte[] payload = RandomNumberGenerator.GetBytes(i % (p.MaxPayload + 1));
            AuthenticatedRecord.WriteReal(p, payload, record);
            BigInteger c = Field(p, record, 0), r = Field(p, record, 1), mHat = Field(p, record, 2);
            Assert.That(c, Is.EqualTo(mHat * r % Q(p)), "C = m̂·r mod q (BigInteger)");
            Assert.That(r, Is.GreaterThan(BigInteger.Zero).And.LessThan(Q(p)));
            Assert.That(mHat >> (8 * blockSize), Is.EqualTo(BigInteger.One), "b = 1");
            Assert.That(AuthenticatedRecord.Verify(p, record, out Range range), Is.EqualTo(RecordVerdict.Accepted));
            Assert.That(record[range], Is.EqualTo(payload));

            AuthenticatedRecord.WriteNoise(p, record);
            (c, r, mHat) = (Field(p, record, 0), Field(p, record, 1), Field(p, record, 2));
            Assert.That(c, Is.EqualTo(mHat * r % Q(p)));
            Assert.That(mHat, Is.GreaterThan(BigInteger.Zero).And.LessThan(BigInteger.Pow(2, 8 * blockSize)), "b = 0, r′ ∈ [1, 2^(8B) − 1]");
            Assert.That(AuthenticatedRecord.Verify(p, record, out _), Is.EqualTo(RecordVerdict.Noise));
        }
    }

    [Test, Category("Malformed")]
    public void EveryBitFlip_IsTampered_ExhaustivelyForB16([Values] bool real)
    {
        TwoServerParameters p = TwoServerParameters.ForBlockSize(16);
        byte[] record = new byte[p.RecordSize];
        if (real) AuthenticatedRecord.WriteReal(p, "flip me"u8, record); else AuthenticatedRecord.WriteNoise(p, record);
        for (int bit = 0; bit < 8 * record.Length; bit++)
        {
            record[bit >> 3] ^= (byte)(0x80 >> (bit & 7));
            Assert.That(AuthenticatedRecord.Verify(p, record, out _), Is.EqualTo(RecordVerdict.Tampered), $"bit {bit}");
            record[bit >> 3] ^= (byte)(0x80 >> (bit & 7));
        }
        Assert.That(AuthenticatedRecord.Verify(p, record, out _), Is.EqualTo(real ? RecordVerdict.Accepted : RecordVerdict.Noise));
    }

    [Test, Category("Malformed")]
    public void RandomBitFlips_AreTampered_AtTheDefaultSize()
    {
        TwoServerParameters p = TwoServerParameters.Default;
        byte[] record = new byte[p.RecordSize];
        AuthenticatedRecord.WriteReal(p, "default"u8, record);
        var rng = new Random(5);
        for (int i = 0; i < 500; i++)
        {
            byte[] bad = (byte[])record.Clone();
            int flips = 1 + rng.Next(3);
            for (int f = 0; f < flips; f++) bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
            if (bad.AsSpan().SequenceEqual(record)) continue;
            Assert.That(AuthenticatedRecord.Verify(p, bad, out _), Is.EqualTo(RecordVerdict.Tampered), $"case {i}");
        }
    }

    [Test, Category("Malformed")]
    public void OutOfRangeFields_AreTampered_AndBadLengthsMalformed()
    {
        TwoServerParameters p = TwoServerParameters.ForBlockSize(16);
        int f = p.FieldSize;
        byte[] record = new byte[p.RecordSize];
        // r = 0 with C = 0 satisfies C = m̂·r, but r must be in Z_q^+.
        record[2 * f] = 1;
        Assert.That(AuthenticatedRecord.Verify(p, record, out _), Is.EqualTo(RecordVerdict.Tampered), "r = 0");
        // A verified record whose flag is 2 would be m̂ ≥ 2^(8B+1): refused.
        AuthenticatedRecord.WriteNoise(p, record);
        record[2 * f] = 2;
        Assert.That(AuthenticatedRecord.Verify(p, record, out _), Is.EqualTo(RecordVerdict.Tampered), "flag 2");
        // A correctly coded real record whose length prefix exceeds B − 2: the sender's fault.
        var q = BigInteger.Pow(2, 8 * 16 + 1) + p.PrimeOffset;
        var mHat = (BigInteger.One << 128) | (new BigInteger(500) << (8 * 14));
        BigInteger r = 12345, c = mHat * r % q;
        record.AsSpan().Clear();
        c.TryWriteBytes(record.AsSpan(0, f)[(f - c.GetByteCount(true))..], out _, true, true);
        r.TryWriteBytes(record.AsSpan(f, f)[(f - r.GetByteCount(true))..], out _, true, true);
        mHat.TryWriteBytes(record.AsSpan(2 * f, f), out _, true, true);
        Assert.That(AuthenticatedRecord.Verify(p, record, out _), Is.EqualTo(RecordVerdict.Malformed));
        Assert.Throws<ArgumentException>(() => AuthenticatedRecord.WriteReal(p, new byte[p.MaxPayload + 1], new byte[p.RecordSize]));
        Assert.Throws<ArgumentException>(() => AuthenticatedRecord.Verify(p, new byte[p.RecordSize - 1], out _));
    }
}

/// <summary>The batched check (one random linear combination per 64 records) gives exactly the single verdicts.</summary>
[TestFixture, NonParallelizable]                           // reads a static counter that tampering tests elsewhere move
public sealed class AuthenticatedRecordBatchTests
{
    [TestCase(16, 1), TestCase(16, 200), TestCase(256, 130)]
    public void VerifyMany_AgreesWithVerify_WithTamperedAndOutOfRangeRecordsMixedIn(int blockSize, int count)
    {
        TwoServerParameters p = TwoServerParameters.ForBlockSize(blockSize);
        int size = p.RecordSize, f = p.FieldSize;
        byte[] records = new byte[count * size];
        var rng = new Random(count);
        for (int i = 0; i < count; i++)
        {
            Span<byte> record = records.AsSpan(i * size, size);
            if (i % 3 == 0) AuthenticatedRecord.WriteNoise(p, record); else AuthenticatedRecord.WriteReal(p, BitConverter.GetBytes(i), record);
            switch (rng.Next(8))
            {
                case 0: record[rng.Next(size)] ^= (byte)(1 << rng.Next(8)); break;      // a flipped bit
                case 1: record[..f].Fill(0xff); break;                                   // c ≥ q
                case 2: record.Slice(f, f).Clear(); break;                               // r = 0
                default: break;
            }
        }
        var verdicts = new RecordVerdict[count];
        var payloads = new Range[count];
        AuthenticatedRecord.VerifyMany(p, records, verdicts, payloads);
        for (int i = 0; i < count; i++)
        {
            RecordVerdict single = AuthenticatedRecord.Verify(p, records.AsSpan(i * size, size), out Range payload);
            Assert.That(verdicts[i], Is.EqualTo(single), $"record {i}");
            if (single == RecordVerdict.Accepted) Assert.That(records[payloads[i]], Is.EqualTo(records.AsSpan(i * size, size)[payload].ToArray()), $"record {i}");
        }
        if (count > 1) Assert.That(verdicts, Has.Some.EqualTo(RecordVerdict.Tampered), "the mix exercises the fallback");
    }

    [Test, Category("Allocation")]
    public void VerifyMany_AllocatesNothing()
    {
        TwoServerParameters p = TwoServerParameters.Default;
        byte[] records = new byte[100 * p.RecordSize];
        for (int i = 0; i < 100; i++) AuthenticatedRecord.WriteReal(p, "x"u8, records.AsSpan(i * p.RecordSize, p.RecordSize));
        var verdicts = new RecordVerdict[100];
        var payloads = new Range[100];
        long failedBefore = AuthenticatedRecord.FailedBatches;
        AuthenticatedRecord.VerifyMany(p, records, verdicts, payloads);
        Assert.That(AuthenticatedRecord.FailedBatches, Is.EqualTo(failedBefore), "valid records pass the combined check (no fallback)");
        long before = GC.GetAllocatedBytesForCurrentThread();
        AuthenticatedRecord.VerifyMany(p, records, verdicts, payloads);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(verdicts, Is.All.EqualTo(RecordVerdict.Accepted));
    }
}
