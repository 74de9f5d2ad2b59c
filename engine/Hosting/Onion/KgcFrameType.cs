namespace Engine.Hosting.Onion;

/// <summary>Message types of the KGC directory server's frames (requests are answered on the same connection).</summary>
public enum KgcFrameType : byte
{
    /// <summary>A refusal: one byte of <see cref="EngineStatus"/>.</summary>
    Error = 5,

    /// <summary>Request: an <see cref="Engine.Onion.Keys.Enrolment"/> request.</summary>
    Enrol = 16,

    /// <summary>Response: the enrolment answer.</summary>
    Enrolled = 17,

    /// <summary>Request: a node's endpoint registration (MAC under the enrolment key).</summary>
    Register = 18,

    /// <summary>Response: registration accepted (empty).</summary>
    Registered = 19,

    /// <summary>Request: the directory (empty).</summary>
    GetDirectory = 20,

    /// <summary>
    /// Response: list length (4) ‖ the KGC-signed node list ‖ endpoint count (2) ‖ per endpoint idLen (1) ‖ ID ‖
    /// address length (1) ‖ address (ASCII) ‖ port (2). Endpoints are not signed: a wrong one only makes packets fail,
    /// the keys are what the signature protects.
    /// </summary>
    Directory = 21,
}
