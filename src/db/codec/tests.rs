use super::*;
use crate::graph::model::Alert;

/// The alert of Microsoft's documentation sample, as the model writes it back.
fn doc_alert_json() -> Vec<u8> {
    let alert: Alert = serde_json::from_str(include_str!(
        "../../../tests/fixtures/alert_docs_sample.json"
    ))
    .unwrap();
    serde_json::to_vec(&alert).unwrap()
}

#[test]
fn new_records_use_zstd_with_the_schema_dictionary_and_read_back() {
    let json = doc_alert_json();
    let (blob, codec) = encode(&json);
    assert_eq!(codec, Codec::ZstdDictV1);
    assert_eq!(decode(&blob, codec).unwrap(), json);
}

#[test]
fn one_documented_alert_is_stored_in_less_than_half_its_json() {
    let json = doc_alert_json();
    let (blob, _) = encode(&json);
    assert!(
        blob.len() * 2 <= json.len(),
        "{} bytes for {} of JSON",
        blob.len(),
        json.len()
    );
}

#[test]
fn rows_written_plain_or_with_lz4_by_earlier_versions_still_read() {
    let json = doc_alert_json();
    let lz4 = lz4_flex::block::compress_prepend_size(&json);
    assert_eq!(Codec::from_column(1), Some(Codec::Lz4));
    assert_eq!(decode(&lz4, Codec::Lz4).unwrap(), json);
    assert_eq!(Codec::from_column(0), Some(Codec::Plain));
    assert_eq!(decode(&json, Codec::Plain).unwrap(), json);
}

#[test]
fn tiny_records_stay_plain_and_unknown_or_damaged_ones_do_not_decode() {
    assert_eq!(encode(b"{}"), (b"{}".to_vec(), Codec::Plain));
    assert_eq!(Codec::from_column(3), None);
    assert_eq!(Codec::from_column(-1), None);
    let (mut blob, codec) = encode(&doc_alert_json());
    blob.truncate(blob.len() / 2);
    assert_eq!(decode(&blob, codec), None);
    assert_eq!(decode(b"not a frame", Codec::ZstdDictV1), None);
}

#[test]
fn the_codec_numbers_are_the_stored_values() {
    for c in [Codec::Plain, Codec::Lz4, Codec::ZstdDictV1] {
        assert_eq!(Codec::from_column(c.column()), Some(c));
    }
    assert_eq!(Codec::ZstdDictV1.column(), 2);
}

/// Rows on disk depend on these exact bytes: a change needs a new codec number.
#[test]
fn the_released_dictionary_never_changes() {
    // FNV-1a, 64 bits.
    let sum = DICT_V1.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    assert_eq!((DICT_V1.len(), sum), (7712, 6_069_320_597_741_531_453));
}
