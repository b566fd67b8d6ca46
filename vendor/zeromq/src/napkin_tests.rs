//! napkin patch: what a peer that does not follow the protocol can do to a bound socket, over
//! real TCP connections on 127.0.0.1. Each test ends by checking that a well-behaved peer is
//! still served.

use crate::codec::{ZmqCommand, ZmqGreeting};
use crate::prelude::*;
use crate::{DealerSocket, RouterSocket, SocketOptions, SocketType, SubSocket, XPubSocket};
use crate::{ZmqMessage, ZmqResult};

use bytes::BytesMut;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PATIENCE: Duration = Duration::from_secs(5);

/// A raw connection that has sent a greeting and READY for `socket_type`, and reads nothing.
async fn raw_peer(endpoint: &str, socket_type: SocketType) -> TcpStream {
    let address = endpoint.trim_start_matches("tcp://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(&BytesMut::from(ZmqGreeting::default()))
        .await
        .unwrap();
    stream
        .write_all(&BytesMut::from(ZmqCommand::ready(socket_type)))
        .await
        .unwrap();
    stream
}

/// Reads until the server closes `stream`; fails if it is still open after [`PATIENCE`].
async fn closed_by_server(mut stream: TcpStream) {
    let mut sink = vec![0; 64 * 1024];
    let closed = tokio::time::timeout(PATIENCE, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    });
    closed.await.expect("the server closes the connection");
}

fn options(max_message_size: Option<usize>, send_high_water_mark: usize) -> SocketOptions {
    let mut options = SocketOptions::default();
    options
        .max_message_size(max_message_size)
        .send_high_water_mark(Some(send_high_water_mark));
    options
}

/// A ROUTER bound to an ephemeral port, and a DEALER connected to it that has been heard.
async fn router_and_dealer(options: SocketOptions) -> ZmqResult<(RouterSocket, String, DealerSocket)> {
    let mut router = RouterSocket::with_options(options);
    let endpoint = router.bind("tcp://127.0.0.1:0").await?.to_string();
    let dealer = DealerSocket::new();
    Ok((router, endpoint, dealer))
}

/// `dealer` connects, says hello, and gets an answer through `router`.
async fn still_served(router: &mut RouterSocket, endpoint: &str, dealer: &mut DealerSocket) {
    dealer.connect(endpoint).await.unwrap();
    dealer.send(ZmqMessage::from("hello")).await.unwrap();
    let hello = tokio::time::timeout(PATIENCE, router.recv())
        .await
        .expect("the router still receives")
        .unwrap();
    let mut answer = hello.clone();
    answer.push_back("answer".into());
    router.send(answer).await.unwrap();
    let answer = tokio::time::timeout(PATIENCE, dealer.recv())
        .await
        .expect("the router still sends")
        .unwrap();
    assert_eq!(answer.get(1).unwrap().as_ref(), b"answer");
}

#[tokio::test]
async fn huge_claimed_lengths_close_only_that_connection() -> ZmqResult<()> {
    let (mut router, endpoint, mut dealer) = router_and_dealer(options(Some(1 << 20), 10)).await?;

    // A command frame claiming 2^62 bytes right after the greeting.
    let address = endpoint.trim_start_matches("tcp://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let mut bytes = BytesMut::from(ZmqGreeting::default()).to_vec();
    bytes.push(0b0000_0110);
    bytes.extend_from_slice(&(1u64 << 62).to_be_bytes());
    stream.write_all(&bytes).await.unwrap();
    closed_by_server(stream).await;

    // A message frame claiming 2^40 bytes after the handshake, and one just over the limit
    // sent in full.
    for (claimed, sent) in [(1u64 << 40, 0), ((1 << 20) + 1, (1 << 20) + 1)] {
        let mut stream = raw_peer(&endpoint, SocketType::DEALER).await;
        let mut frame = vec![0b0000_0010];
        frame.extend_from_slice(&claimed.to_be_bytes());
        frame.resize(9 + sent, 7);
        let _ = stream.write_all(&frame).await;
        // A ROUTER reads its peers' connections while the application receives.
        tokio::select! {
            message = router.recv() => panic!("nothing valid was sent, got {message:?}"),
            () = closed_by_server(stream) => {}
        }
    }

    still_served(&mut router, &endpoint, &mut dealer).await;
    Ok(())
}

#[tokio::test]
async fn a_peer_that_never_completes_the_handshake_is_dropped() -> ZmqResult<()> {
    let mut options = options(None, 10);
    options.handshake_timeout(Some(Duration::from_millis(200)));
    let (mut router, endpoint, mut dealer) = router_and_dealer(options).await?;
    let idle = TcpStream::connect(endpoint.trim_start_matches("tcp://"))
        .await
        .unwrap();
    closed_by_server(idle).await;
    still_served(&mut router, &endpoint, &mut dealer).await;
    Ok(())
}

#[tokio::test]
async fn a_router_drops_what_a_peer_that_stopped_reading_cannot_take() -> ZmqResult<()> {
    let (mut router, endpoint, mut dealer) = router_and_dealer(options(None, 10)).await?;
    let mut stalled = raw_peer(&endpoint, SocketType::DEALER).await;
    // Let the router hear from it, to learn its identity.
    stalled.write_all(&[0, 5]).await.unwrap();
    stalled.write_all(b"hello").await.unwrap();
    let hello = tokio::time::timeout(PATIENCE, router.recv()).await.unwrap()?;
    let identity = hello.get(0).unwrap().clone();

    // 2,000 replies of 64 KiB (128 MiB) is far more than the connection buffers hold.
    let payload = bytes::Bytes::from(vec![7u8; 64 * 1024]);
    let sending = async {
        for _ in 0..2000 {
            let mut reply = ZmqMessage::from(identity.clone());
            reply.push_back(payload.clone());
            router.send(reply).await.unwrap();
        }
    };
    tokio::time::timeout(PATIENCE, sending)
        .await
        .expect("sending never waits for a peer that does not read");
    still_served(&mut router, &endpoint, &mut dealer).await;
    drop(stalled);
    Ok(())
}

#[tokio::test]
async fn an_xpub_subscriber_that_stopped_reading_misses_messages_alone() -> ZmqResult<()> {
    let mut xpub = XPubSocket::with_options(options(None, 10));
    let endpoint = xpub.bind("tcp://127.0.0.1:0").await?.to_string();
    let mut stalled = raw_peer(&endpoint, SocketType::SUB).await;
    stalled.write_all(&[0, 1, 1]).await.unwrap(); // subscribe to everything
    let mut reader = SubSocket::new();
    reader.connect(&endpoint).await?;
    reader.subscribe("").await?;
    for _ in 0..2 {
        tokio::time::timeout(PATIENCE, xpub.recv()).await.unwrap()?;
    }

    let payload = bytes::Bytes::from(vec![7u8; 64 * 1024]);
    let publishing = async {
        for _ in 0..2000 {
            xpub.send(ZmqMessage::from(payload.clone())).await.unwrap();
        }
    };
    tokio::time::timeout(PATIENCE, publishing)
        .await
        .expect("publishing never waits for a subscriber");

    // The reading subscriber keeps receiving: a marker published now reaches it.
    let received = tokio::time::timeout(PATIENCE, async {
        loop {
            xpub.send(ZmqMessage::from("marker")).await.unwrap();
            let mut tick = tokio::time::interval(Duration::from_millis(1));
            tick.tick().await;
            loop {
                tokio::select! {
                    message = reader.recv() => {
                        if message.unwrap().get(0).unwrap().as_ref() == b"marker" {
                            return;
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_millis(100)) => break,
                }
            }
        }
    });
    received.await.expect("the reading subscriber still receives");
    drop(stalled);
    Ok(())
}

#[tokio::test]
async fn a_router_refuses_a_second_peer_with_the_same_identity() -> ZmqResult<()> {
    let (mut router, endpoint, _) = router_and_dealer(options(None, 10)).await?;
    let mut victim_options = SocketOptions::default();
    victim_options.peer_identity("victim".parse()?);
    let mut victim = DealerSocket::with_options(victim_options);
    victim.connect(&endpoint).await?;
    victim.send(ZmqMessage::from("hello")).await?;
    let hello = tokio::time::timeout(PATIENCE, router.recv()).await.unwrap()?;
    assert_eq!(hello.get(0).unwrap().as_ref(), b"victim");

    let mut ready = ZmqCommand::ready(SocketType::DEALER);
    ready.add_prop("Identity".into(), "victim".into());
    let mut thief = TcpStream::connect(endpoint.trim_start_matches("tcp://"))
        .await
        .unwrap();
    thief
        .write_all(&BytesMut::from(ZmqGreeting::default()))
        .await
        .unwrap();
    thief.write_all(&BytesMut::from(ready)).await.unwrap();
    closed_by_server(thief).await;

    let mut answer = ZmqMessage::from("victim");
    answer.push_back("answer".into());
    router.send(answer).await?;
    let answer = tokio::time::timeout(PATIENCE, victim.recv()).await.unwrap()?;
    assert_eq!(answer.get(0).unwrap().as_ref(), b"answer");
    Ok(())
}
