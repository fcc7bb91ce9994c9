//! zstd for datasets: a streaming decoder with a hard cap on its output (a decompression bomb
//! is an error naming the cap, never an out-of-memory), and the publisher's encoder.
//!
//! Decoding is pure Rust (`ruzstd`), so phones carry no C for it; memory stays bounded by the
//! window ([`MAX_WINDOW`]) plus one block, whatever the input claims. Encoding uses libzstd at
//! [`PUBLISH_LEVEL`] when the `publish` feature is on (the CLI), else ruzstd's fastest level.
//! Input is one zstd frame; bytes after it are refused, and the frame checksum, when present, is
//! checked.

use std::io::{self, Read, Write};

use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

/// Largest back-reference window a frame may ask for. libzstd level 19 uses at most 8 MiB; a
/// frame asking for more would make a phone allocate it, so it is refused.
pub const MAX_WINDOW: u64 = 16 * 1024 * 1024;

/// Decompressed bytes allowed per compressed byte of a dataset file (zstd on JSON reaches
/// ~10x; far more is a bomb).
pub const MAX_EXPANSION: u64 = 64;

/// The smallest output cap, so that tiny files are never refused.
pub const MIN_OUTPUT_CAP: u64 = 16 << 20;

/// The output cap for `compressed_len` bytes of a dataset file: [`MAX_EXPANSION`] times it,
/// at least [`MIN_OUTPUT_CAP`]. The one rule of a sync download and a bundle's files.
pub fn output_cap(compressed_len: u64) -> u64 {
    compressed_len.saturating_mul(MAX_EXPANSION).max(MIN_OUTPUT_CAP)
}

/// The zstd level of published files: small downloads matter more than publishing time.
pub const PUBLISH_LEVEL: i32 = 19;

/// What was wrong with compressed data.
#[derive(Debug, thiserror::Error)]
pub enum CompressError {
    /// The output would pass the limit: a decompression bomb, or a size in the signed metadata
    /// that does not match the file.
    #[error("decompressed data exceeds the limit of {limit} bytes (a decompression bomb, or the wrong size in the signed metadata); nothing beyond the limit was produced")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },

    /// Not a zstd frame, or a frame this decoder refuses (window too large, dictionary).
    #[error("not a usable zstd frame: {0}")]
    BadHeader(String),

    /// The compressed data is damaged or cut short.
    #[error("damaged zstd data after {offset} decompressed bytes: {reason}")]
    Corrupt {
        /// Decompressed bytes produced before the damage.
        offset: u64,
        /// What the decoder found.
        reason: String,
    },

    /// Bytes follow the zstd frame (published files hold exactly one frame).
    #[error("unexpected bytes after the end of the zstd frame, at decompressed offset {offset}")]
    TrailingData {
        /// Decompressed bytes produced by the frame.
        offset: u64,
    },

    /// Reading the compressed input or writing the output failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl From<CompressError> for io::Error {
    fn from(e: CompressError) -> io::Error {
        match e {
            CompressError::Io(inner) => inner,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}

impl CompressError {
    /// Recovers the [`CompressError`] inside an `io::Error` a [`Decoder`] returned.
    pub fn from_io(e: io::Error) -> CompressError {
        if e.get_ref().is_some_and(|inner| inner.is::<CompressError>()) {
            let inner = e.into_inner().expect("checked above");
            *inner.downcast::<CompressError>().expect("checked above")
        } else {
            CompressError::Io(e)
        }
    }
}

/// A streaming zstd decoder that never produces more than `limit` bytes.
pub struct Decoder<R: Read> {
    inner: StreamingDecoder<R, FrameDecoder>,
    limit: u64,
    produced: u64,
    finished: bool,
}

impl<R: Read> std::fmt::Debug for Decoder<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").field("limit", &self.limit).field("produced", &self.produced).finish()
    }
}

impl<R: Read> Decoder<R> {
    /// Reads the frame header from `source`; refuses frames whose declared size passes `limit`
    /// or whose window passes [`MAX_WINDOW`].
    pub fn new(source: R, limit: u64) -> Result<Decoder<R>, CompressError> {
        let inner = StreamingDecoder::new_with_max_window_size(source, MAX_WINDOW)
            .map_err(|e| CompressError::BadHeader(e.to_string()))?;
        let declared = inner.decoder.content_size();
        // 0 means "not declared" for ruzstd; the running count below catches those.
        if declared > limit {
            return Err(CompressError::TooLarge { limit });
        }
        Ok(Decoder { inner, limit, produced: 0, finished: false })
    }

    /// Decompressed bytes produced so far.
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// At the frame's end: checks the checksum and that nothing follows.
    fn finish(&mut self) -> Result<(), CompressError> {
        let decoder = &self.inner.decoder;
        if let (Some(stored), Some(computed)) = (decoder.get_checksum_from_data(), decoder.get_calculated_checksum()) {
            if stored != computed {
                let reason = format!("checksum mismatch (stored {stored:08x}, computed {computed:08x})");
                return Err(CompressError::Corrupt { offset: self.produced, reason });
            }
        }
        let mut probe = [0u8; 1];
        if self.inner.get_mut().read(&mut probe)? > 0 {
            return Err(CompressError::TrailingData { offset: self.produced });
        }
        self.finished = true;
        Ok(())
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.finished {
            return Ok(0);
        }
        // Ask for one byte past the limit at most, to tell "exactly the limit" from "more".
        let room = self.limit - self.produced;
        let want = buf.len().min(usize::try_from(room.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want]).map_err(|e| match e.kind() {
            io::ErrorKind::Interrupted => e,
            _ => CompressError::Corrupt { offset: self.produced, reason: e.to_string() }.into(),
        })?;
        if n == 0 {
            self.finish()?;
            return Ok(0);
        }
        if n as u64 > room {
            return Err(CompressError::TooLarge { limit: self.limit }.into());
        }
        self.produced += n as u64;
        Ok(n)
    }
}

/// Decompresses a whole buffer, at most `limit` bytes of output.
pub fn decompress_to_vec(data: &[u8], limit: u64) -> Result<Vec<u8>, CompressError> {
    let mut out = Vec::new();
    Decoder::new(data, limit)?.read_to_end(&mut out).map_err(CompressError::from_io)?;
    Ok(out)
}

/// Compresses `source` into `dest` as one zstd frame with a checksum; returns the compressed
/// length. Uses libzstd at [`PUBLISH_LEVEL`] with the `publish` feature, ruzstd otherwise.
pub fn compress(mut source: impl Read, dest: impl Write) -> Result<u64, CompressError> {
    let mut counted = Counted { inner: dest, written: 0 };
    #[cfg(feature = "publish")]
    {
        let mut encoder = zstd::stream::Encoder::new(&mut counted, PUBLISH_LEVEL)?;
        encoder.include_checksum(true)?;
        io::copy(&mut source, &mut encoder)?;
        encoder.finish()?;
    }
    #[cfg(not(feature = "publish"))]
    {
        let mut data = Vec::new();
        source.read_to_end(&mut data)?;
        let frame = ruzstd::encoding::compress_to_vec(&data[..], ruzstd::encoding::CompressionLevel::Fastest);
        counted.write_all(&frame)?;
    }
    counted.flush()?;
    Ok(counted.written)
}

/// Compresses a buffer (see [`compress`]).
pub fn compress_to_vec(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    compress(data, &mut out).expect("compressing into memory cannot fail");
    out
}

/// Counts bytes written through it.
struct Counted<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        (0..200_000u32).flat_map(|i| format!("{{\"id\":\"demo:{i}\",\"kind\":\"legal_aid\"}}\n").into_bytes()).collect()
    }

    #[test]
    fn round_trip_at_exactly_the_limit() {
        let data = sample();
        let z = compress_to_vec(&data);
        assert!(z.len() * 10 < data.len(), "compresses repetitive JSON well: {} -> {}", data.len(), z.len());
        assert_eq!(decompress_to_vec(&z, data.len() as u64).unwrap(), data);
    }

    #[test]
    fn one_byte_under_the_limit_is_an_error_naming_it() {
        let data = sample();
        let z = compress_to_vec(&data);
        let limit = data.len() as u64 - 1;
        match decompress_to_vec(&z, limit) {
            Err(CompressError::TooLarge { limit: l }) => assert_eq!(l, limit),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn a_bomb_stops_at_the_cap_without_producing_it() {
        // 64 MiB of zeros compress to a few KiB; the frame does not declare its size, so the
        // running count must stop it.
        let zeros = vec![0u8; 64 << 20];
        let z = compress_to_vec(&zeros);
        drop(zeros);
        assert!(z.len() < 64 * 1024, "bomb is small: {}", z.len());
        let mut decoder = Decoder::new(&z[..], 1 << 20).unwrap();
        let mut sink = Vec::new();
        let e = CompressError::from_io(decoder.read_to_end(&mut sink).unwrap_err());
        assert!(sink.len() <= 1 << 20, "never produced past the cap: {}", sink.len());
        assert!(matches!(e, CompressError::TooLarge { limit: 1048576 }), "{e:?}");
        assert!(e.to_string().contains("limit of 1048576 bytes"), "{e}");
    }

    #[test]
    fn a_declared_size_past_the_limit_is_refused_before_decoding() {
        // Magic, descriptor (8-byte content size, not single-segment), 1 KiB window, size 2^40.
        let mut header = vec![0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x00];
        header.extend_from_slice(&(1u64 << 40).to_le_bytes());
        assert!(matches!(Decoder::new(&header[..], 1 << 20), Err(CompressError::TooLarge { limit: 1048576 })));
    }

    #[test]
    fn a_window_past_the_maximum_is_refused() {
        // Window descriptor exponent 20: 1 GiB.
        let header = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 20 << 3];
        assert!(matches!(Decoder::new(&header[..], u64::MAX), Err(CompressError::BadHeader(_))));
    }

    #[test]
    fn damaged_cut_and_trailing_input_are_errors() {
        let data = sample();
        let z = compress_to_vec(&data);
        let limit = data.len() as u64;
        assert!(matches!(decompress_to_vec(b"{\"json\": true}", limit), Err(CompressError::BadHeader(_))));
        let cut = &z[..z.len() / 2];
        assert!(matches!(decompress_to_vec(cut, limit), Err(CompressError::Corrupt { .. })), "cut");
        let mut trailing = z.clone();
        trailing.extend_from_slice(b"junk");
        assert!(matches!(decompress_to_vec(&trailing, limit), Err(CompressError::TrailingData { .. })));
    }

    #[test]
    fn flipped_byte_is_caught() {
        let data = sample();
        let mut z = compress_to_vec(&data);
        let mid = z.len() / 2;
        z[mid] ^= 0x55;
        assert!(decompress_to_vec(&z, data.len() as u64).is_err());
    }
}
