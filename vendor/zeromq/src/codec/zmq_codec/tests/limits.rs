//! napkin patch: what a peer can make the decoder hold (`check_frame_len`, bounded reserve).

use super::*;

/// A decoder that has just read a peer's greeting.
fn after_greeting(options: &SocketOptions) -> ZmqCodec {
    let mut codec = ZmqCodec::with_options(options);
    let mut greeting = BytesMut::from(ZmqGreeting::default());
    assert!(matches!(
        codec.decode(&mut greeting),
        Ok(Some(Message::Greeting(_)))
    ));
    codec
}

/// A decoder past the handshake's READY command.
fn after_handshake(options: &SocketOptions) -> ZmqCodec {
    let mut codec = after_greeting(options);
    let mut ready = BytesMut::from(ZmqCommand::ready(crate::SocketType::DEALER));
    assert!(matches!(
        codec.decode(&mut ready),
        Ok(Some(Message::Command(_)))
    ));
    codec
}

/// A long frame header (flags, 8-byte length) claiming `len` bytes.
fn long_header(flags: u8, len: u64) -> BytesMut {
    let mut header = BytesMut::from(&[flags | 0b0000_0010][..]);
    header.extend_from_slice(&len.to_be_bytes());
    header
}

#[test]
fn a_command_frame_claiming_huge_lengths_is_refused_before_anything_is_reserved() {
    for len in [1 << 62, 1 << 40, MAX_COMMAND_SIZE as u64 + 1] {
        let mut codec = after_greeting(&SocketOptions::default());
        let mut input = long_header(0b0000_0100, len);
        assert!(matches!(
            codec.decode(&mut input),
            Err(CodecError::Command("Command frame exceeds the size limit"))
        ));
        assert!(input.capacity() < 1024, "{}", input.capacity());
    }
}

#[test]
fn without_a_limit_a_claimed_length_reserves_at_most_two_chunks() {
    let mut codec = after_handshake(&SocketOptions::default());
    let mut input = long_header(0, 1 << 40);
    assert!(codec.decode(&mut input).unwrap().is_none());
    assert!(
        input.capacity() <= 2 * 64 * 1024 + 64,
        "{}",
        input.capacity()
    );
}

#[test]
fn a_message_over_the_limit_is_refused_at_the_frame_that_crosses_it() {
    let mut options = SocketOptions::default();
    options.max_message_size(Some(1000));

    // One frame of 1000 - FRAME_OVERHEAD bytes fits exactly.
    let mut codec = after_handshake(&options);
    let len = 1000 - FRAME_OVERHEAD;
    let mut input = long_header(0, len as u64);
    input.resize(9 + len, 7);
    assert!(matches!(
        codec.decode(&mut input),
        Ok(Some(Message::Message(m))) if m.get(0).unwrap().len() == len
    ));

    // The limit starts again with every message.
    let mut input = long_header(0, len as u64);
    input.resize(9 + len, 7);
    assert!(matches!(
        codec.decode(&mut input),
        Ok(Some(Message::Message(_)))
    ));

    // A claim of 2^40 bytes, and a second frame that takes the message one byte over.
    let mut input = long_header(0, 1 << 40);
    assert!(matches!(
        codec.decode(&mut input),
        Err(CodecError::Decode("Message exceeds the maximum message size"))
    ));
    let mut codec = after_handshake(&options);
    let mut input = BytesMut::from(&[1, 100][..]);
    input.resize(2 + 100, 7);
    input.extend_from_slice(&long_header(0, (1000 - 2 * FRAME_OVERHEAD - 100 + 1) as u64));
    assert!(matches!(
        codec.decode(&mut input),
        Err(CodecError::Decode("Message exceeds the maximum message size"))
    ));
}

#[test]
fn empty_frames_count_against_the_limit() {
    let mut options = SocketOptions::default();
    options.max_message_size(Some(100 * FRAME_OVERHEAD));
    let mut codec = after_handshake(&options);
    let mut input = BytesMut::new();
    for _ in 0..100 {
        input.extend_from_slice(&[1, 0]);
    }
    assert!(codec.decode(&mut input).unwrap().is_none());
    input.extend_from_slice(&[1, 0]);
    assert!(matches!(
        codec.decode(&mut input),
        Err(CodecError::Decode("Message exceeds the maximum message size"))
    ));
}
