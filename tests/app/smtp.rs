//! A real SMTP server on loopback for the tests: it speaks enough of RFC
//! 5321 for lettre (EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP,
//! QUIT), keeps every message it accepted, and can be stopped and started
//! again on the same port (a mail server that is down, then back), or told
//! to refuse recipients for good (550).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope sender.
    pub mail_from: String,
    /// The envelope recipients.
    pub rcpt_to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: Vec<u8>,
}

impl Received {
    /// The parsed message.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.data).expect("a parseable message")
    }

    /// The decoded subject.
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    /// The decoded plain-text body.
    pub fn text(&self) -> String {
        self.parsed().body_text(0).map(|t| t.to_string()).unwrap_or_default()
    }

    /// The decoded HTML body.
    pub fn html(&self) -> String {
        self.parsed().body_html(0).map(|t| t.to_string()).unwrap_or_default()
    }

    /// A header's raw value (trimmed).
    pub fn header(&self, name: &str) -> Option<String> {
        let p = self.parsed();
        p.header_raw(name).map(|v| v.trim().to_string())
    }

    /// The `Message-ID`.
    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_string()
    }

    /// The first `http…/track/…` link in the text body, as a path.
    pub fn tracking_path(&self) -> Option<String> {
        let text = self.text();
        let i = text.find("/track/")?;
        let path: String =
            text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '_').collect();
        Some(path)
    }
}

/// A running sink.
pub struct SmtpSink {
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Refuse every recipient with 550.
    refuse: bool,
}

impl SmtpSink {
    /// Starts on a free loopback port.
    pub async fn start() -> Self {
        Self::start_at("127.0.0.1:0".parse().expect("addr"), false).await
    }

    /// Starts one that refuses every recipient for good.
    pub async fn start_refusing() -> Self {
        Self::start_at("127.0.0.1:0".parse().expect("addr"), true).await
    }

    async fn start_at(addr: SocketAddr, refuse: bool) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(serve(listener, received.clone(), refuse));
        Self { addr, received, task: Some(task), refuse }
    }

    /// `smtp://127.0.0.1:PORT`, for `FRONTLINE_SMTP_URL`.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("smtp://{}", self.addr)).expect("url")
    }

    /// Stops listening (connections are refused until [`SmtpSink::restart`]).
    pub fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }

    /// Listens again on the same port, keeping what it received.
    pub async fn restart(&mut self) {
        self.stop();
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.task = Some(tokio::spawn(serve(listener, self.received.clone(), self.refuse)));
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    /// Waits until at least `n` messages arrived (at most `limit`); returns them all.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let start = std::time::Instant::now();
        loop {
            let got = self.received();
            if got.len() >= n || start.elapsed() > limit {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The messages sent to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(address))).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, received: Arc<Mutex<Vec<Received>>>, refuse: bool) {
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        sessions.spawn(session(stream, received.clone(), refuse));
    }
}

fn address_in(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_string()
}

async fn session(stream: TcpStream, received: Arc<Mutex<Vec<Received>>>, refuse: bool) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let _ = write.write_all(b"220 sink.test ESMTP ready\r\n").await;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let verb = text.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n",
            "HELO" => b"250 sink.test\r\n",
            "MAIL" => {
                from = address_in(&text);
                to.clear();
                b"250 OK\r\n"
            }
            "RCPT" if refuse => b"550 5.1.1 No such mailbox here\r\n",
            "RCPT" => {
                to.push(address_in(&text));
                b"250 OK\r\n"
            }
            "DATA" => {
                let _ = write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await;
                let mut data = Vec::new();
                loop {
                    line.clear();
                    match lines.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let unstuffed = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
                    data.extend_from_slice(unstuffed);
                }
                received.lock().expect("lock").push(Received {
                    mail_from: from.clone(),
                    rcpt_to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            }
            "RSET" => {
                to.clear();
                b"250 OK\r\n"
            }
            "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 Bye\r\n").await;
                return;
            }
            _ => b"502 Command not implemented\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
