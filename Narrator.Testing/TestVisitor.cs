using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Narrator.Web.Services.Visitors;

namespace Narrator.Testing;

/// <summary>
/// One visitor of a test server, as a browser would be: one cookie jar shared by their HTTP calls and hub connections,
/// and, when given, their own client address (any 127.0.0.x reaches a server listening on 127.0.0.1).
/// </summary>
public sealed class TestVisitor : IDisposable
{
    private readonly IPAddress? address;

    public TestVisitor(Uri baseAddress, IPAddress? address = null, CookieContainer? cookies = null)
    {
        BaseAddress = baseAddress;
        this.address = address;
        Cookies = cookies ?? new CookieContainer();
        Http = new HttpClient(NewHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri BaseAddress { get; }

    public CookieContainer Cookies { get; }

    public HttpClient Http { get; }

    /// <summary>The visitor id the server gave this visitor (null before the first request).</summary>
    public string? VisitorId => Cookies.GetCookies(BaseAddress)[VisitorCookie.CookieName]?.Value;

    /// <summary>The same visitor (cookies and address) on another server, e.g. one restarted on the same data folder.</summary>
    public TestVisitor On(Uri otherServer)
    {
        var moved = new CookieContainer();
        foreach (Cookie cookie in Cookies.GetCookies(BaseAddress))
        {
            moved.Add(otherServer, new Cookie(cookie.Name, cookie.Value, "/"));
        }
        return new TestVisitor(otherServer, address, moved);
    }

    /// <summary>A hub connection (not started) that sends this visitor's cookie from this visitor's address (WebSockets unless told otherwise).</summary>
    public HubConnection Hub(HttpTransportType transports = HttpTransportType.WebSockets) => new HubConnectionBuilder()
        .WithUrl(new Uri(BaseAddress, "/hubs/narration"), options =>
        {
            options.Transports = transports;
            options.Cookies = Cookies;
            options.HttpMessageHandlerFactory = _ => NewHandler();
            options.WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = new ClientWebSocket();
                try
                {
                    using var invoker = new HttpMessageInvoker(NewHandler());
                    await socket.ConnectAsync(context.Uri, invoker, cancellationToken);
                    return socket;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        })
        .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
        .Build();

    public void Dispose() => Http.Dispose();

    private SocketsHttpHandler NewHandler() => new()
    {
        UseCookies = true,
        CookieContainer = Cookies,
        ConnectCallback = address is null ? null : ConnectFrom(address),
    };

    /// <summary>A connect callback whose sockets leave from <paramref name="local"/> (any 127.0.0.x), so the server sees that client address.</summary>
    internal static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress local) =>
        (context, cancellationToken) => ConnectFromAsync(local, context, cancellationToken);

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress local, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
