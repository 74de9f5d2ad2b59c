namespace Engine.IotAuth.Roles;

/// <summary>
/// What others must know of an operation centre (the device's and the cloud server's trust file entry): its
/// identifier, its Schnorr signing key and its hashed-ElGamal encryption key, both compressed G1 points.
/// </summary>
public sealed record OperationCenterEntry(string Id, byte[] SigningKey, byte[] EncryptionKey);
