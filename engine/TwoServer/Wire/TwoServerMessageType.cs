namespace Engine.TwoServer.Wire;

/// <summary>
/// Frame types between users and S1/S2 (SPEC.md §2.6). Every payload starts with the version byte
/// <see cref="TwoServerWire.Version"/>; a request is answered on the same connection by its response type or by
/// <see cref="Error"/> (one status byte).
/// </summary>
public enum TwoServerMessageType : byte
{
    /// <summary>Server → user on connect: version ‖ server index (1) ‖ challenge (32) ‖ server key. Signed requests cover the challenge.</summary>
    Hello = 1,

    /// <summary>A refusal: version ‖ <see cref="EngineStatus"/> (1).</summary>
    Error = 2,

    /// <summary>version ‖ id ‖ key. Answer <see cref="Registered"/>: version ‖ this server's receipt signature over k_b^i.</summary>
    Register = 10,

    /// <summary>Receipt of <see cref="Register"/>.</summary>
    Registered = 11,

    /// <summary>version ‖ id ‖ the key the other server received ‖ the other server's receipt. Answer <see cref="Confirmed"/>: version.</summary>
    Confirm = 12,

    /// <summary>Receipt of <see cref="Confirm"/>: the key is active.</summary>
    Confirmed = 13,

    /// <summary>version ‖ id ‖ group ‖ signature. Answer <see cref="Group"/>.</summary>
    Join = 14,

    /// <summary>version ‖ group. Answer <see cref="Group"/>.</summary>
    GetGroup = 15,

    /// <summary>version ‖ epoch (4) ‖ count (4) ‖ member ids (sorted): the order every partition vector uses.</summary>
    Group = 16,

    /// <summary>version ‖ session id (16) ‖ group ‖ epoch (4) ‖ sender id ‖ flags (1) ‖ partition ‖ [members] ‖ [third] ‖ signature. Answer <see cref="Ok"/>.</summary>
    OpenSession = 17,

    /// <summary>
    /// version ‖ round (8) ‖ session id (16) ‖ message id (8) ‖ shares (len 4) ‖ sender signature. Answer <see cref="Ok"/>.
    /// Round <see cref="TwoServerWire.DialRound"/> puts the upload in the dial mailbox instead of a round.
    /// </summary>
    Upload = 18,

    /// <summary>version ‖ round (8) ‖ id ‖ signature. Answer <see cref="Inbox"/>.</summary>
    Fetch = 19,

    /// <summary>version ‖ round (8) ‖ member index (4) ‖ inbox (len 4) ‖ server signature over the delivery.</summary>
    Inbox = 20,

    /// <summary>version. Answer <see cref="Round"/>.</summary>
    GetRound = 21,

    /// <summary>version ‖ the round open for uploads (8).</summary>
    Round = 22,

    /// <summary>version: the request was accepted.</summary>
    Ok = 23,

    /// <summary>version ‖ group ‖ id ‖ signature: the member's pending dials. Answer <see cref="Inbox"/> with round <see cref="TwoServerWire.DialRound"/>.</summary>
    FetchDials = 24,
}
