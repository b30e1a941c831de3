//! How a stored incident or alert record is encoded; the `lz4` column of `incidents` and
//! `alerts` holds the [`Codec`] number (its name predates zstd: 0 and 1 were its two values).
//!
//! New records are zstd-compressed against a fixed dictionary built from the Graph schema only
//! (field names, evidence shapes, enum names, URL prefixes — no tenant data): a record is mostly
//! keys and enum names, which the dictionary supplies, so even a small one shrinks. The
//! dictionary of a codec number never changes once released (old rows must keep reading): a new
//! dictionary gets a new number.

use std::cell::RefCell;
use std::sync::LazyLock;
use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};
use zstd::zstd_safe::CParameter;

/// How a record's bytes are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// The JSON text as is.
    Plain = 0,
    /// LZ4 block with its size prepended (written by earlier versions; read only).
    Lz4 = 1,
    /// zstd frame against [`DICT_V1`].
    ZstdDictV1 = 2,
}

impl Codec {
    /// The codec of a stored column value, `None` for a number this build does not know.
    pub fn from_column(v: i64) -> Option<Codec> {
        match v {
            0 => Some(Codec::Plain),
            1 => Some(Codec::Lz4),
            2 => Some(Codec::ZstdDictV1),
            _ => None,
        }
    }

    /// The value stored in the column.
    pub fn column(self) -> i64 {
        self as i64
    }
}

/// The schema dictionary of [`Codec::ZstdDictV1`] (a raw-content zstd dictionary). Frozen.
pub const DICT_V1: &[u8] = include_bytes!("record_dict_v1.jsonl");

/// zstd level: records are written as they arrive, so speed matters as much as size.
const LEVEL: i32 = 6;

/// Below this a record is stored as plain JSON (a frame header would not pay).
const MIN_COMPRESS: usize = 32;

/// A stored record never decodes to more than this (a damaged size field cannot make us
/// allocate without bound).
const MAX_RECORD: usize = 64 * 1024 * 1024;

static ENCODER_V1: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(DICT_V1, LEVEL));
static DECODER_V1: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(DICT_V1));

thread_local! {
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

fn zstd_compress(json: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut c = Compressor::with_prepared_dictionary(&ENCODER_V1).ok()?;
            // The dictionary is implied by the codec number.
            c.set_parameter(CParameter::DictIdFlag(false)).ok()?;
            *slot = Some(c);
        }
        slot.as_mut()?.compress(json).ok()
    })
}

fn zstd_decompress(bytes: &[u8]) -> Option<Vec<u8>> {
    let size = zstd::zstd_safe::get_frame_content_size(bytes).ok()??;
    let size = usize::try_from(size).ok().filter(|s| *s <= MAX_RECORD)?;
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Decompressor::with_prepared_dictionary(&DECODER_V1).ok()?);
        }
        slot.as_mut()?.decompress(bytes, size).ok()
    })
}

/// The bytes to store for `json` and their codec: zstd against the schema dictionary when
/// that is smaller, else the JSON as is.
pub fn encode(json: &[u8]) -> (Vec<u8>, Codec) {
    if json.len() >= MIN_COMPRESS
        && let Some(packed) = zstd_compress(json)
        && packed.len() < json.len()
    {
        return (packed, Codec::ZstdDictV1);
    }
    (json.to_vec(), Codec::Plain)
}

/// The JSON text of a stored record, `None` when it does not decode.
pub fn decode(bytes: &[u8], codec: Codec) -> Option<Vec<u8>> {
    match codec {
        Codec::Plain => Some(bytes.to_vec()),
        Codec::Lz4 => lz4_flex::block::decompress_size_prepended(bytes).ok(),
        Codec::ZstdDictV1 => zstd_decompress(bytes),
    }
}

#[cfg(test)]
mod tests;
