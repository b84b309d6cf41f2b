//! The encoders extension (cel-go): `base64.encode(bytes)` and `base64.decode(string)`, with
//! the standard alphabet, through the `base64` crate.
//!
//! `encode` pads its output with `=`; `decode` accepts text with or without its padding (as
//! cel-go does, which retries without padding) and ignores nonzero bits in the last symbol,
//! as Go's decoder does.

use base64::Engine as _;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::cost::{Cost, first, text_len};
use super::{Impl, Overload, global, no_such_overload};
use crate::cel::types::Type;
use crate::cel::value::{EvalError, Value};

pub(super) fn declare(out: &mut Vec<Overload>) {
    out.extend([
        global("base64_encode_bytes", "base64.encode", vec![Type::Bytes], Type::String, Impl::F1(encode))
            .priced(encode_cost),
        global("base64_decode_string", "base64.decode", vec![Type::String], Type::Bytes, Impl::F1(decode))
            .priced(decode_cost),
    ]);
}

/// The engine: standard alphabet, padding written, padding optional when read.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The length of the padded encoding of `n` bytes.
fn encoded_len(n: usize) -> usize {
    n.div_ceil(3).saturating_mul(4)
}

fn encode_cost(args: &[&Value<'_>]) -> Cost {
    let n = text_len(first(args));
    Cost::text(n, encoded_len(n))
}

/// Decoding gives at most three bytes per four symbols.
fn decode_cost(args: &[&Value<'_>]) -> Cost {
    let n = text_len(first(args));
    Cost::text(n, n.div_ceil(4).saturating_mul(3))
}

fn encode<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::Bytes(b) = v else { return Err(no_such_overload("base64.encode", &[v])) };
    Ok(Value::string(ENGINE.encode(b.as_slice())))
}

fn decode<'a>(v: &Value<'a>) -> Result<Value<'a>, EvalError> {
    let Value::String(s) = v else { return Err(no_such_overload("base64.decode", &[v])) };
    ENGINE.decode(s.as_str()).map(Value::bytes).map_err(|e| {
        let detail = match e {
            base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _) => {
                format!("illegal base64 data at input byte {at}")
            }
            base64::DecodeError::InvalidLength(_) => "the input has a length no base64 text has".to_owned(),
            base64::DecodeError::InvalidPadding => "invalid padding".to_owned(),
        };
        EvalError::invalid_argument(format!("`base64.decode`: {detail}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Result<Vec<u8>, String> {
        match decode(&Value::str(text)) {
            Ok(Value::Bytes(b)) => Ok(b.as_slice().to_vec()),
            Ok(other) => Err(format!("not bytes: {other:?}")),
            Err(e) => Err(e.message().to_owned()),
        }
    }

    #[test]
    fn round_trips_with_or_without_padding() {
        assert_eq!(encode(&Value::bytes(&b"hello"[..])).unwrap().as_str(), Some("aGVsbG8="));
        assert_eq!(dec("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(dec("aGVsbG8").unwrap(), b"hello");
        assert_eq!(dec("").unwrap(), b"");
        assert_eq!(dec("aGVsbG8!").unwrap_err(), "`base64.decode`: illegal base64 data at input byte 7");
        assert!(dec("a").is_err());
        for n in 0..10 {
            let data: Vec<u8> = (0..n).collect();
            let Ok(Value::String(text)) = encode(&Value::bytes(data.clone())) else { panic!() };
            assert_eq!(text.as_str().len(), encoded_len(data.len()));
            assert_eq!(dec(text.as_str()).unwrap(), data);
            assert!(decode_cost(&[&Value::String(text.clone())]).bytes >= data.len());
        }
    }
}
