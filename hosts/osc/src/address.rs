//! Where the server listens, as a user writes it.

use std::net::{Ipv4Addr, SocketAddr};

/// Reads `ADDR:PORT` (`127.0.0.1:9000`, `[::1]:9000`, `0.0.0.0:9000`) or a bare `PORT`,
/// which means `127.0.0.1:PORT`: the server listens on the loopback interface unless told
/// otherwise.
pub fn address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    text.parse().map_err(|_| {
        format!("`{text}` is not an OSC address: expected PORT or ADDR:PORT, e.g. 127.0.0.1:9000")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_listens_on_loopback() {
        assert_eq!(address("9000").unwrap().to_string(), "127.0.0.1:9000");
        assert_eq!(address("[::1]:57120").unwrap().port(), 57_120);
        assert!(address("0.0.0.0:9000").unwrap().ip().is_unspecified());
        assert!(address("localhost").is_err());
        assert!(address("99999").is_err());
    }
}
