//! The only place that knows how values are encoded. Every value starts with a format byte so that a
//! future encoding can be read beside this one; bincode is unmaintained upstream and may be replaced.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Format 1: bincode 2, standard configuration (varint integers, little-endian).
const FORMAT_BINCODE2: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("empty value")]
    Empty,
    #[error("unknown value format {0} (written by a newer rapport?)")]
    UnknownFormat(u8),
    #[error("value does not decode: {0}")]
    Decode(String),
    #[error("{0} bytes left over after the value")]
    Trailing(usize),
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(FORMAT_BINCODE2);
    // Writing into a Vec cannot fail, and our types have no serialisers that return errors.
    bincode::serde::encode_into_std_write(value, &mut out, config())
        .expect("encoding a domain value into memory cannot fail");
    out
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (&format, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    match format {
        FORMAT_BINCODE2 => {
            let (value, used) = bincode::serde::decode_from_slice(body, config())
                .map_err(|e| CodecError::Decode(e.to_string()))?;
            if used != body.len() {
                return Err(CodecError::Trailing(body.len() - used));
            }
            Ok(value)
        }
        other => Err(CodecError::UnknownFormat(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Customer, Lifecycle};

    #[test]
    fn round_trips_with_a_format_byte() {
        let mut c = Customer::new("Ada", chrono::Utc::now());
        c.stage = Lifecycle::Lead;
        c.tags = vec!["vip".into()];
        let bytes = encode(&c);
        assert_eq!(bytes[0], FORMAT_BINCODE2);
        let back: Customer = decode(&bytes).unwrap();
        // Millisecond precision is what is stored.
        assert_eq!(
            back.created.timestamp_millis(),
            c.created.timestamp_millis()
        );
        assert_eq!(back.name, "Ada");
        assert_eq!(back.tags, c.tags);
    }

    #[test]
    fn refuses_unknown_formats_and_garbage() {
        let c = Customer::new("Ada", chrono::Utc::now());
        let mut bytes = encode(&c);
        bytes[0] = 9;
        assert!(matches!(
            decode::<Customer>(&bytes),
            Err(CodecError::UnknownFormat(9))
        ));
        assert!(matches!(decode::<Customer>(&[]), Err(CodecError::Empty)));
        assert!(decode::<Customer>(&[FORMAT_BINCODE2, 0xff, 0xff]).is_err());
        let mut long = encode(&c);
        long.push(0);
        assert!(matches!(
            decode::<Customer>(&long),
            Err(CodecError::Trailing(1))
        ));
    }
}
