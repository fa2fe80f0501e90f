//! Hostile files, made on the spot: PDFs that cost a naive parser gigabytes
//! or minutes from a few kilobytes, and images that claim to be enormous.

use std::io::Write;

/// Deflates `data` (zlib), as PDF's FlateDecode expects.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).expect("deflate");
    z.finish().expect("deflate")
}

/// Deflates `unit` repeated `times` without holding the whole input.
pub fn deflate_repeated(unit: &[u8], times: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = unit.repeat(64 * 1024 / unit.len().max(1));
    let per_block = block.len() / unit.len();
    let mut left = times;
    while left > 0 {
        let n = left.min(per_block);
        z.write_all(&block[..n * unit.len()]).expect("deflate");
        left -= n;
    }
    z.finish().expect("deflate")
}

/// A PDF of these objects (numbered from 1, the first one the catalog) with
/// a correct cross-reference table.
pub fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (n, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", n + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

/// One page whose content stream is `content` (already deflated).
fn one_page(deflated_content: &[u8]) -> Vec<u8> {
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_vec(),
        stream("/Filter /FlateDecode", deflated_content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ])
}

/// One page whose content is `1 ` repeated 30 million times: 60 MB of
/// operands in ~62 KB. Parsed into objects it costs ~3.8 GB.
pub fn operand_flood() -> Vec<u8> {
    one_page(&deflate_repeated(b"1 ", 30_000_000))
}

/// The operand flood kept under the content limit (7 MB inflated), so the
/// content scanner reads every operand of it.
pub fn operand_flood_within_limit() -> Vec<u8> {
    one_page(&deflate_repeated(b"1 ", 3_500_000))
}

/// Text operators, millions of them, each showing a letter.
pub fn operator_flood() -> Vec<u8> {
    let mut content = b"BT /F1 9 Tf 10 10 Td ".to_vec();
    content.extend_from_slice(&b"(x) Tj ".repeat(1_000_000));
    content.extend_from_slice(b"ET");
    one_page(&deflate(&content))
}

/// A content stream that inflates to 256 MiB of zeros.
pub fn deflate_bomb() -> Vec<u8> {
    one_page(&deflate_repeated(&[0u8; 4096], 1 << 16))
}

/// `pages` pages, each its own object: 100,000 of them fit in 10 MB and cost
/// a parser ~170 MB.
pub fn page_flood(pages: usize) -> Vec<u8> {
    let mut objects = Vec::with_capacity(pages + 3);
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 4)).collect();
    objects
        .push(format!("<< /Type /Pages /MediaBox [0 0 9 9] /Kids [{}] /Count {pages} >>", kids.join(" ")).into_bytes());
    objects.push(stream("", b"BT ET"));
    for _ in 0..pages {
        objects.push(b"<</Type/Page/Parent 2 0 R/Contents 3 0 R>>".to_vec());
    }
    pdf(&objects)
}

/// An object stream that inflates to 4 MB of `1 ` (two million objects'
/// worth of tokens), and many more like it.
pub fn object_stream_bomb(streams: usize) -> Vec<u8> {
    let packed = deflate_repeated(b"1 ", 2_000_000);
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>".to_vec(),
    ];
    for _ in 0..streams {
        objects.push(stream("/Type /ObjStm /N 1000 /First 0 /Filter /FlateDecode", &packed));
    }
    pdf(&objects)
}

/// An array nested a hundred thousand deep.
pub fn deep_nesting() -> Vec<u8> {
    let mut deep = b"[".repeat(100_000);
    deep.extend_from_slice(&b"]".repeat(100_000));
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>".to_vec(),
        deep,
    ])
}

/// An uncompressed array of 4.5 million numbers: 9 MB of file.
pub fn big_array() -> Vec<u8> {
    let mut array = b"[".to_vec();
    array.extend_from_slice(&b"1 ".repeat(4_500_000));
    array.push(b']');
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R /Big 4 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 9 9] >>".to_vec(),
        array,
    ])
}

/// A cross-reference stream that claims fifty million objects and inflates
/// to hundreds of megabytes.
pub fn xref_bomb() -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let catalog = out.len();
    out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    let pages = out.len();
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    let xref = out.len();
    let entries = deflate_repeated(&[1, 0, 0, 0, 0, 0, 0], 50_000_000);
    out.extend_from_slice(
        format!(
            "3 0 obj\n<< /Type /XRef /Size 50000000 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length {} >>\nstream\n",
            entries.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&entries);
    out.extend_from_slice(format!("\nendstream\nendobj\n% {catalog} {pages}\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { 0xEDB8_8320 ^ (crc >> 1) } else { crc >> 1 };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut typed = kind.to_vec();
    typed.extend_from_slice(data);
    let mut out = u32::try_from(data.len()).expect("len").to_be_bytes().to_vec();
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32(&typed).to_be_bytes());
    out
}

/// A PNG that says it is 100,000 × 100,000 pixels (40 GB decoded), with a
/// tiny valid start of its data.
pub fn png_claiming_to_be_huge() -> Vec<u8> {
    // Its first row (a filter byte and 100,000 RGBA pixels) is there, so
    // it is a readable PNG; no more rows are.
    png_rgba(100_000, 100_000, 1 + 4 * 100_000)
}

/// A PNG `width` × `height` RGBA whose image data inflates to `data` zero bytes.
pub fn png_rgba(width: u32, height: u32, data: usize) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &deflate(&vec![0u8; data])));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A JPEG whose frame says 65,535 × 65,535 pixels, and then ends.
pub fn jpeg_claiming_to_be_huge() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    out.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0x03]);
    out.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x0C, 0x03, 1, 0, 2, 0x11, 3, 0x11, 0x00, 0x3F, 0x00]);
    out.extend_from_slice(&[0x12; 64]);
    out
}

#[test]
fn the_generated_files_are_what_they_say() {
    assert!(operand_flood().len() < 100_000, "{}", operand_flood().len());
    let flood = page_flood(100_000);
    assert!(flood.len() < 10 * 1024 * 1024, "{} bytes", flood.len());
    assert!(deflate_bomb().len() < 2 * 1024 * 1024);
    assert!(big_array().len() < 10 * 1024 * 1024);
    assert!(xref_bomb().len() < 1024 * 1024, "{}", xref_bomb().len());
    assert!(png_claiming_to_be_huge().starts_with(b"\x89PNG"));
}
