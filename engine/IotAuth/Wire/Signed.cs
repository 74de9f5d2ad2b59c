using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;

namespace Engine.IotAuth.Wire;

/// <summary>Payloads whose last <see cref="IotWire.SignatureSize"/> bytes are a Schnorr signature (in G1) over everything before them.</summary>
internal static class Signed
{
    /// <summary>Appends the signature over what <paramref name="writer"/> holds and returns the payload.</summary>
    public static byte[] Finish(WireWriter writer, SchnorrSigningKey key)
    {
        Span<byte> signature = stackalloc byte[IotWire.SignatureSize];
        SchnorrSignature.Sign(key, writer.WrittenSpan, signature);
        return writer.Fixed(signature).ToArray();
    }

    /// <summary>Appends the signature over what the pooled <paramref name="writer"/> holds and moves the payload into <paramref name="destination"/>.</summary>
    public static void Finish(WireWriter writer, SchnorrSigningKey key, System.Buffers.IBufferWriter<byte> destination)
    {
        Span<byte> signature = stackalloc byte[IotWire.SignatureSize];
        SchnorrSignature.Sign(key, writer.WrittenSpan, signature);
        writer.Fixed(signature).MoveTo(destination);
    }

    /// <summary>Splits a payload into body and signature; false when it is too short.</summary>
    public static bool Split(ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> body, out ReadOnlySpan<byte> signature)
    {
        body = signature = default;
        if (payload.Length < 1 + IotWire.SignatureSize) return false;
        body = payload[..^IotWire.SignatureSize];
        signature = payload[^IotWire.SignatureSize..];
        return true;
    }

    /// <summary>Checks the trailing signature under <paramref name="publicKey"/>.</summary>
    public static EngineStatus Verify(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> publicKey)
        => Split(payload, out ReadOnlySpan<byte> body, out ReadOnlySpan<byte> signature)
            ? SchnorrSignature.Verify(IotAuthParameters.Group, publicKey, body, signature)
            : EngineStatus.BadLength;

    /// <summary>Unix seconds now.</summary>
    public static ulong Now(TimeProvider time) => (ulong)time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Unix milliseconds now: the timestamps of requests other than the challenge (whose T is in seconds, SPEC.md §3.5).</summary>
    public static ulong NowMilliseconds(TimeProvider time) => (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>True when the millisecond <paramref name="timestamp"/> is within <paramref name="window"/> of now either way.</summary>
    public static bool FreshMilliseconds(ulong timestamp, TimeProvider time, TimeSpan window)
    {
        long delta = (long)timestamp - (long)NowMilliseconds(time);
        return Math.Abs(delta) <= (long)window.TotalMilliseconds;
    }

    /// <summary>True when <paramref name="timestamp"/> (seconds) is within <paramref name="window"/> of now either way.</summary>
    public static bool Fresh(ulong timestamp, TimeProvider time, TimeSpan window)
    {
        long delta = (long)timestamp - (long)Now(time);
        return Math.Abs(delta) <= (long)window.TotalSeconds;
    }
}
