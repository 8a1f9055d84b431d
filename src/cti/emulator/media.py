"""Playbacks (queued -> playing -> done/failed), live and stored recordings."""

from __future__ import annotations

import io
import math
import uuid
import wave

from cti.emulator.apps import Audience
from cti.emulator.catalogue import resolve_media
from cti.emulator.errors import AriError, not_found, not_in_stasis
from cti.emulator.model import Json, LiveRecording, Playback
from cti.emulator.state import CoreState

_CONTROL_OPERATIONS = {"pause", "unpause", "restart", "reverse", "forward"}
_RATE = 8000  # Hz: Asterisk's slin of a narrowband call
_TONE_PERIOD = 20  # samples: 400 Hz at 8 kHz, a whole number of samples per cycle


def tone_wav(seconds: int) -> bytes:
    """A quiet 400 Hz tone of ``seconds`` (at least one) as a mono 16-bit 8 kHz WAV file.

    The emulator has no audio to record; a tone rather than silence lets a person check that a
    player really plays. One cycle is computed and repeated, so long recordings cost no CPU.
    """
    cycle = b"".join(
        int(3000 * math.sin(2 * math.pi * n / _TONE_PERIOD)).to_bytes(2, "little", signed=True)
        for n in range(_TONE_PERIOD)
    )
    frames = cycle * (max(1, seconds) * _RATE // _TONE_PERIOD)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(_RATE)
        wav.writeframes(frames)
    return buffer.getvalue()


_RECORD_FORMATS = frozenset({"wav", "gsm", "ulaw", "alaw", "sln", "g722", "wav49"})
_TERMINATORS = frozenset({"none", "any", "*", "#"})
_DIGITS = frozenset("0123456789*#ABCD")


def _whole_seconds(text: str | None, field: str) -> int:
    """A non-negative whole number of seconds (0 = no limit), else Asterisk's 400."""
    if text is None or text == "":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise AriError(400, f"{field} must be a whole number of seconds") from None
    if value < 0:
        raise AriError(400, f"{field} cannot be negative")
    return value


class MediaOps(CoreState):
    # ------------------------------------------------------------------ playbacks
    def play(
        self, target_uri: str, media: list[str], playback_id: str | None, lang: str | None
    ) -> Json:
        kind, _, target_id = target_uri.partition(":")
        if not media:
            raise AriError(400, "Missing parameter media")
        language = lang or "en"  # a bridge's announcer has Asterisk's default language
        if kind == "channel":
            channel = self.channels.get(target_id)
            if channel is None or channel.destroyed:
                raise not_found("Channel")
            if channel.stasis_app is None:
                raise not_in_stasis()
            language = lang or channel.language  # `lang` defaults to the channel's language
        elif target_id not in self.bridges:
            raise not_found("Bridge")
        if playback_id and playback_id in self.playbacks:
            raise AriError(409, "Playback with given ID already exists")
        playback = Playback(
            id=playback_id or self.new_playback_id(),
            media=media,
            target_uri=target_uri,
            language=language,
        )
        self.playbacks[playback.id] = playback
        queue = self.playback_queues.setdefault(target_uri, [])
        queue.append(playback.id)
        snapshot = playback.to_json()
        if len(queue) == 1:
            self.scheduler.soon(lambda: self._start(playback))
        return snapshot

    def new_playback_id(self) -> str:
        return str(uuid.uuid4())

    def _audience(self, playback: Playback) -> Audience:
        if playback.target_kind == "bridge":
            return Audience(bridge_ids=(playback.target_id,))
        return Audience(channel_ids=(playback.target_id,))

    def _announce(self, event_type: str, playback: Playback) -> None:
        self.emit(event_type, {"playback": playback.to_json()}, self._audience(playback))

    def _start(self, playback: Playback) -> None:
        if self.playbacks.get(playback.id) is not playback or playback.state != "queued":
            return
        playback.state = "playing"
        self._announce("PlaybackStarted", playback)
        bridge = self.bridges.get(playback.target_id) if playback.target_kind == "bridge" else None
        if bridge is not None and bridge.bridge_type == "holding":
            if bridge.announcer_busy:
                # A holding bridge has one announcer slot, taken by MOH (gotcha 10).
                uri = playback.media[playback.index]
                self.log_played(
                    playback.target_uri,
                    uri,
                    playback.language,
                    None,
                    failed=True,
                    playback_id=playback.id,
                )
                self._finish(playback, "failed")
                return
            bridge.announcer_busy = True
        self._schedule_media(playback, self._media_seconds(playback))

    def _media_seconds(self, playback: Playback) -> float | None:
        # A sound the server has no file for in the playback's language (nor in English) fails
        # at once: PlaybackStarted then PlaybackFinished `failed`, as Asterisk does. Each media
        # that starts goes to the log of what was heard, with the file's language.
        uri = playback.media[playback.index]
        seconds, resolved = resolve_media(
            uri, playback.language, self.config.prompt_languages, self.config.absent_sounds
        )
        self.log_played(
            playback.target_uri,
            uri,
            playback.language,
            resolved,
            failed=seconds is None,
            playback_id=playback.id,
        )
        return seconds

    def _schedule_media(self, playback: Playback, seconds: float | None) -> None:
        if seconds is None:
            self._finish(playback, "failed")
            return
        playback.remaining_s = seconds
        playback.started_at = self.scheduler.now()
        if seconds != float("inf"):
            playback.timer = self.scheduler.call_later(seconds, lambda: self._media_done(playback))

    def _media_done(self, playback: Playback) -> None:
        if self.playbacks.get(playback.id) is not playback or playback.state != "playing":
            return
        if playback.index + 1 < len(playback.media):
            playback.state = "continuing"
            self._announce("PlaybackContinuing", playback)
            playback.index += 1
            playback.state = "playing"
            self._announce("PlaybackStarted", playback)
            self._schedule_media(playback, self._media_seconds(playback))
            return
        self._finish(playback, "done")

    def _finish(self, playback: Playback, state: str) -> None:
        if playback.timer is not None:
            playback.timer.cancel()
        was_playing = playback.state in ("playing", "paused", "continuing")
        playback.state = state
        self.playbacks.pop(playback.id, None)
        queue = self.playback_queues.get(playback.target_uri, [])
        if playback.id in queue:
            queue.remove(playback.id)
        if was_playing or state == "failed":
            self._announce("PlaybackFinished", playback)
        bridge = self.bridges.get(playback.target_id) if playback.target_kind == "bridge" else None
        if bridge is not None and bridge.moh_helper is None and was_playing:
            bridge.announcer_busy = False
        if queue:
            following = self.playbacks[queue[0]]
            self.scheduler.soon(lambda: self._start(following))

    def playback(self, playback_id: str) -> Playback:
        playback = self.playbacks.get(playback_id)
        if playback is None:
            raise not_found("Playback")
        return playback

    def stop_playback(self, playback_id: str) -> None:
        # Stopping reports `done`, never "cancelled" (gotcha 11).
        self._finish(self.playback(playback_id), "done")

    def control_playback(self, playback_id: str, operation: str | None) -> None:
        playback = self.playback(playback_id)
        if operation not in _CONTROL_OPERATIONS:
            raise AriError(400, "Invalid operation parameter")
        if playback.state not in ("playing", "paused"):
            raise AriError(409, "Playback not in a controllable state")
        if operation == "pause" and playback.state == "playing":
            if playback.timer is not None:
                playback.timer.cancel()
            if playback.remaining_s is not None and playback.remaining_s != float("inf"):
                elapsed = self.scheduler.now() - playback.started_at
                playback.remaining_s = max(0.0, playback.remaining_s - elapsed)
            playback.state = "paused"
        elif operation == "unpause" and playback.state == "paused":
            playback.state = "playing"
            self._announce("PlaybackStarted", playback)
            self._schedule_media(playback, playback.remaining_s)
        elif operation == "restart" and playback.state == "playing":
            if playback.timer is not None:
                playback.timer.cancel()
            self._schedule_media(playback, self._media_seconds(playback))

    def fail_playbacks_for(self, target_uri: str) -> None:
        for playback_id in list(self.playback_queues.get(target_uri, [])):
            playback = self.playbacks.get(playback_id)
            if playback is not None:
                self._finish(playback, "failed")
        self.playback_queues.pop(target_uri, None)

    # ------------------------------------------------------------------ recordings
    def record_bridge(self, bridge_id: str, params: dict[str, str]) -> Json:
        bridge = self.bridges.get(bridge_id)
        if bridge is None:
            raise not_found("Bridge")
        name = params.get("name")
        fmt = params.get("format")
        if not name or not fmt:
            raise AriError(
                400, "Missing parameter name" if not name else "Missing parameter format"
            )
        # One 409 for both, as Asterisk's bridges.json says: a recording of that name "is in
        # progress or ifExists=fail". A new leader meets the first after a takeover (the old
        # leader's bridge recording runs on in Asterisk); ``overwrite`` does not get past it.
        if name in self.live_recordings or (
            name in self.stored_recordings and params.get("ifExists", "fail") == "fail"
        ):
            raise AriError(409, "Recording with the same name already exists on the system")
        recording = LiveRecording(name=name, format=fmt, target_uri=f"bridge:{bridge_id}")
        self.live_recordings[name] = recording
        snapshot = recording.to_json()

        def start() -> None:
            if recording.state != "queued" or bridge.id not in self.bridges:
                return
            self.new_channel_id()
            self.new_channel_id()
            bridge.recorder = f"Recorder/ARI-{self.new_local_suffix()};2"
            self.refresh_bridge_peers(bridge)
            recording.state = "recording"
            recording.started_at = self.scheduler.now()
            self.emit(
                "RecordingStarted",
                {"recording": recording.to_json()},
                Audience(bridge_ids=(bridge.id,)),
            )

        self.scheduler.soon(start)
        return snapshot

    def record_channel(self, channel_id: str, params: dict[str, str]) -> Json:
        """``POST /channels/{id}/record``: a voicemail-style recording of one channel.

        Checks follow Asterisk 22's resource_channels (400, 404, 409, 422). The optional beep
        plays first, so RecordingStarted comes after it. The recording ends at
        ``maxDurationSeconds``, on a ``terminateOn`` digit, by ``/recordings/live/{name}/stop``,
        or when the caller hangs up; each time RecordingFinished ``done`` with the duration, and
        the file is stored. The emulator has no audio, so the caller is never silent and
        ``maxSilenceSeconds`` never ends a recording (a real Asterisk may end one earlier).
        """
        channel = self.channels.get(channel_id)
        if channel is None or channel.destroyed:
            raise not_found("Channel")
        name = params.get("name")
        fmt = params.get("format")
        if not name or not fmt:
            raise AriError(
                400, "Missing parameter name" if not name else "Missing parameter format"
            )
        max_duration = _whole_seconds(params.get("maxDurationSeconds"), "maxDurationSeconds")
        _whole_seconds(params.get("maxSilenceSeconds"), "maxSilenceSeconds")
        terminate_on = params.get("terminateOn", "none")
        if terminate_on not in _TERMINATORS:
            raise AriError(400, "terminateOn invalid")
        if_exists = params.get("ifExists", "fail")
        if if_exists not in ("fail", "overwrite", "append"):
            raise AriError(400, "ifExists invalid")
        if channel.stasis_app is None:
            raise not_in_stasis()
        if channel.bridge_id is not None:
            raise AriError(409, "Channel is currently bridged")
        if fmt not in _RECORD_FORMATS:
            raise AriError(422, "Format specified is unknown on this system")
        if name in self.live_recordings or (name in self.stored_recordings and if_exists == "fail"):
            raise AriError(409, "Recording with the same name already exists on the system")
        recording = LiveRecording(name=name, format=fmt, target_uri=f"channel:{channel_id}")
        recording.terminate_on = terminate_on
        self.live_recordings[name] = recording
        snapshot = recording.to_json()

        def start() -> None:
            if recording.state != "queued" or channel.destroyed:
                return
            recording.state = "recording"
            recording.started_at = self.scheduler.now()
            self.emit(
                "RecordingStarted",
                {"recording": recording.to_json()},
                Audience(channel_ids=(channel.id,)),
            )
            if max_duration:
                self.later(channel, max_duration, lambda: self._end_channel_recording(recording))

        beep = params.get("beep", "false").lower() in ("true", "yes", "1")
        if beep:
            # Asterisk streams its core ``beep`` in the channel's own language (the ``lang`` of
            # earlier playbacks does not apply): the log says which file that was.
            seconds, resolved = resolve_media(
                "sound:beep",
                channel.language,
                self.config.prompt_languages,
                self.config.absent_sounds,
            )
            self.log_played(
                f"channel:{channel.id}",
                "sound:beep",
                channel.language,
                resolved,
                failed=seconds is None,
                playback_id=None,
            )
            self.later(channel, seconds or 0.0, start)
        else:
            self.scheduler.soon(start)
        return snapshot

    def _end_channel_recording(self, recording: LiveRecording) -> None:
        if self.live_recordings.get(recording.name) is recording:
            if recording.state == "recording":
                self.stop_recording(recording.name)
            else:
                del self.live_recordings[recording.name]  # still queued: nothing was recorded

    def recording_heard_dtmf(self, channel_id: str, digit: str) -> None:
        """A digit the caller pressed ends that channel's recording when it is a terminator."""
        for recording in list(self.live_recordings.values()):
            if recording.target_uri != f"channel:{channel_id}" or recording.state != "recording":
                continue
            wanted = recording.terminate_on
            if (wanted == "any" and digit in _DIGITS) or wanted == digit:
                self._end_channel_recording(recording)

    def stop_recordings_on_channel(self, channel_id: str) -> None:
        """A caller who hangs up mid-recording leaves a stored file (RecordingFinished ``done``)."""
        for recording in list(self.live_recordings.values()):
            if recording.target_uri == f"channel:{channel_id}":
                self._end_channel_recording(recording)

    def live_recording(self, name: str) -> LiveRecording:
        recording = self.live_recordings.get(name)
        if recording is None:
            raise not_found("Recording")
        return recording

    def stop_recording(self, name: str) -> None:
        recording = self.live_recording(name)
        recording.duration = int(self.scheduler.now() - recording.started_at)
        recording.state = "done"
        del self.live_recordings[name]
        self.stored_recordings[name] = recording.format
        self.stored_durations[name] = recording.duration
        kind, _, target_id = recording.target_uri.partition(":")
        audience = (
            Audience(channel_ids=(target_id,))
            if kind == "channel"
            else Audience(bridge_ids=(target_id,))
        )
        self.emit("RecordingFinished", {"recording": recording.to_json()}, audience)
        bridge = self.bridges.get(target_id) if kind == "bridge" else None
        if bridge is not None:
            bridge.recorder = None
            self.refresh_bridge_peers(bridge)

    def stored_recording(self, name: str) -> Json:
        if name not in self.stored_recordings:
            raise not_found("Recording")
        return {"name": name, "format": self.stored_recordings[name]}

    def stored_recording_file(self, name: str) -> tuple[bytes, str]:
        """The stored recording's audio and its media type (only WAV is emulated)."""
        if name not in self.stored_recordings:
            raise not_found("Recording")
        if self.stored_recordings[name] != "wav":
            raise AriError(403, "The recording file could not be opened")
        return tone_wav(self.stored_durations.get(name, 1)), "audio/wav"

    def delete_stored_recording(self, name: str) -> None:
        if name not in self.stored_recordings:
            raise not_found("Recording")
        del self.stored_recordings[name]
        self.stored_durations.pop(name, None)

    def stop_recordings_of(self, bridge_id: str) -> None:
        """A bridge that goes away ends its recording, which is stored as if stopped."""
        for name, recording in list(self.live_recordings.items()):
            if recording.target_uri == f"bridge:{bridge_id}" and recording.state == "recording":
                self.stop_recording(name)
            elif recording.target_uri == f"bridge:{bridge_id}":
                del self.live_recordings[name]  # queued, never started: nothing to keep
