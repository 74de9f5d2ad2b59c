namespace Engine.Revocation.Wire;

/// <summary>
/// The frame types of Protocol 4's servers. Requests have the high bit clear; each answer is the request's type with
/// the high bit set, or <see cref="Error"/>. Every payload starts with <see cref="RevocationParameters.Version"/>.
/// </summary>
public enum RevocationMessageType : byte
{
    /// <summary>A refusal: status (1) ‖ optional reason (name).</summary>
    Error = 0x00,

    /// <summary>→ authority: (empty body). Answer: encryption public key (blob, may be empty) ‖ ring public key (blob, may be empty) ‖ ring (blob, may be empty).</summary>
    GetPublicKeys = 0x01,

    /// <summary>→ authority, admin-signed: kind (1: 0 user, 1 CSP) ‖ name ‖ signing key ‖ encryption key ‖ count (2) ‖ attributes. Answer: empty.</summary>
    Grant = 0x02,

    /// <summary>→ authority, signed by the user's registered key: GID. Answer: sealed count (2) ‖ decryption keys (blobs) ‖ ring key (blob, may be empty).</summary>
    RequestKeys = 0x03,

    /// <summary>→ authority, admin-signed: GID ‖ attribute (empty name: the ring). Answer: remaining holders or members (4).</summary>
    Revoke = 0x04,

    /// <summary>→ authority, signed by the user: GID ‖ the last update sequence applied (8). Answer: sealed count (2) ‖ (sequence (8) ‖ kind (1) ‖ blob)*.</summary>
    GetUpdates = 0x05,

    /// <summary>→ authority, signed by a registered CSP: name ‖ first log index wanted (4). Answer: sealed count (2) ‖ ciphertext update keys (blobs).</summary>
    GetCiphertextUpdates = 0x06,

    /// <summary>→ source CSP: ring id ‖ epoch (8) ‖ policy (blob) ‖ access request (blob) ‖ ring signature (blob). Answer: access token (blob).</summary>
    Authenticate = 0x10,

    /// <summary>→ source CSP: (empty). Answer: token public key ‖ ring (blob).</summary>
    GetRing = 0x11,

    /// <summary>→ accepting CSP, admin-signed: resource ‖ policy (blob) ‖ plaintext (blob). Answer: ciphertext id (16).</summary>
    Store = 0x20,

    /// <summary>→ accepting CSP: access token (blob). Answer: the ciphertext (blob).</summary>
    Fetch = 0x21,

    /// <summary>→ accepting CSP, admin-signed: (empty). Pulls the authorities' update keys and runs the update job. Answer: rows (4) ‖ ciphertexts (4).</summary>
    Sync = 0x22,
}
