//! The server from outside: real WebSocket clients (tungstenite's client) on loopback.

use patchvm_ws::WsServer;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Long enough for a loaded machine; only reached when something is broken.
const PATIENCE: Duration = Duration::from_secs(20);

type Client = WebSocket<MaybeTlsStream<TcpStream>>;

fn server() -> WsServer {
    WsServer::bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("a free loopback port")
}

fn connect(server: &WsServer) -> Client {
    let url = format!("ws://{}", server.local_addr());
    tungstenite::connect(url.as_str()).expect("the handshake").0
}

fn read_text(client: &mut Client) -> String {
    loop {
        match client.read().expect("a message") {
            Message::Text(text) => return text.to_string(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected text, got {other:?}"),
        }
    }
}

#[test]
fn every_subscriber_receives_every_message_in_order() {
    let server = server();
    let mut clients = [connect(&server), connect(&server), connect(&server)];
    assert!(server.wait_for_subscribers(3, PATIENCE));
    let messages: Vec<String> = (0..200)
        .map(|n| format!(r#"{{"type":"note","note":{},"n":{n}}}"#, n % 128))
        .collect();
    for message in &messages {
        server.publish(message);
    }
    for client in &mut clients {
        let received: Vec<String> = (0..messages.len()).map(|_| read_text(client)).collect();
        assert_eq!(received, messages);
    }
    let stats = server.stats();
    assert_eq!(
        (stats.subscribers, stats.published, stats.dropped),
        (3, 200, 0)
    );
}

#[test]
fn a_subscriber_that_never_reads_loses_messages_without_slowing_the_publisher() {
    let server = server();
    let _stalled = connect(&server);
    let mut reader = connect(&server);
    assert!(server.wait_for_subscribers(2, PATIENCE));
    // 64 KiB messages: the stalled client's socket buffers fill after a few, its writer
    // blocks, and its queue of 1 024 fills behind it.
    let payload = "x".repeat(64 * 1024);
    let published = 4_000;
    for n in 0..published {
        server.publish(&format!("{n} {payload}"));
        // The reading client keeps up, so it must lose nothing.
        let text = read_text(&mut reader);
        assert_eq!(text.split(' ').next(), Some(n.to_string().as_str()));
    }
    let stats = server.stats();
    assert_eq!(stats.published, published);
    // The stalled subscriber took at most its queue and what the socket buffers hold, and
    // lost the rest — unless it stalled past its timeout first and was forgotten; the reader
    // lost nothing either way.
    if stats.subscribers == 2 {
        assert!(
            stats.dropped >= published - 1_024 - 200,
            "dropped {} of {published}",
            stats.dropped
        );
    }
    assert!(stats.dropped < published);
}

#[test]
fn a_subscriber_that_hangs_up_is_forgotten() {
    let server = server();
    let mut leaving = connect(&server);
    let mut staying = connect(&server);
    assert!(server.wait_for_subscribers(2, PATIENCE));
    leaving.close(None).expect("a close frame");
    // The server answers the close; reading until the connection ends completes it.
    while leaving.read().is_ok() {}
    // Each publish offers to both; once the leaver's thread has seen the close, the next
    // publish forgets it. The staying client proves each message went out.
    let mut published = 0;
    while server.stats().subscribers == 2 {
        assert!(
            published < 10_000,
            "the closed subscriber is never forgotten"
        );
        server.publish("tick");
        assert_eq!(read_text(&mut staying), "tick");
        published += 1;
    }
    assert_eq!(server.stats().subscribers, 1);
}

#[test]
fn a_client_that_never_completes_the_handshake_does_not_block_others() {
    let server = server();
    let _silent = TcpStream::connect(server.local_addr()).expect("a TCP connection");
    let mut client = connect(&server);
    assert!(server.wait_for_subscribers(2, PATIENCE));
    server.publish("hello");
    assert_eq!(read_text(&mut client), "hello");
}

#[test]
fn what_was_published_before_the_server_stops_still_arrives() {
    let server = server();
    let mut client = connect(&server);
    assert!(server.wait_for_subscribers(1, PATIENCE));
    for n in 0..500 {
        server.publish(&n.to_string());
    }
    server.publish("end");
    drop(server);
    let received: Vec<String> = (0..501).map(|_| read_text(&mut client)).collect();
    let expected: Vec<String> = (0..500)
        .map(|n| n.to_string())
        .chain(["end".into()])
        .collect();
    assert_eq!(received, expected);
    // Then the server closes the connection.
    assert!(matches!(client.read(), Ok(Message::Close(_)) | Err(_)));
}
