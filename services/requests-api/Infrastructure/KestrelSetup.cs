using System.Text;

namespace ProductionTests.RequestsApi.Infrastructure;

public static class KestrelSetup
{
    /// <summary>
    /// Request header values are decoded as Latin-1, so every byte RFC 9110 allows in a field value
    /// (obs-text, 0x80-0xFF) reaches the app, which refuses a malformed one with a problem. Kestrel's
    /// default (ASCII or valid UTF-8) answers the rest itself with an empty 400 no hook can shape.
    /// The app reads only ASCII header values, so decoding them as Latin-1 changes nothing else.
    /// </summary>
    public static WebApplicationBuilder UseContractKestrel(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1);
        return builder;
    }
}
