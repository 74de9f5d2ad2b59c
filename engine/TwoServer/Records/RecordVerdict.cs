namespace Engine.TwoServer.Records;

/// <summary>What a receiver concludes from a reconstructed record (paper §4.5).</summary>
public enum RecordVerdict : byte
{
    /// <summary>C(b‖m, r) ≠ c, or a field out of range: a server (or, with §5.3 evidence, the sender) changed a share.</summary>
    Tampered = 0,

    /// <summary>C(b‖m, r) = c and b = 0: a noise record, ignored.</summary>
    Noise = 1,

    /// <summary>C(b‖m, r) = c and b = 1: a real message for this receiver.</summary>
    Accepted = 2,

    /// <summary>The code verifies and b = 1, but the block's length prefix is impossible: the sender built it badly.</summary>
    Malformed = 3,
}
