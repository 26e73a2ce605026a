/**
 * @module pages/recording
 * A broadcast's recording on a page: a player on a short-lived link, its real length beside the
 * reading-time estimate, and what the engine read (the characters Polly bills). Shared by the
 * review queue (the reviewer approves what they hear), the campaign page and the station's page.
 */
import type { ScriptAudio } from '../domain/approval.js';
import { formatDuration } from '../domain/broadcast.js';

export { recordingLinks } from '../speech/audio-store.js';

export interface RecordingView {
  audio: ScriptAudio & { characters?: number | undefined; engine?: string | undefined };
  /** A live link to the MP3 (path-only locally, presigned S3 on AWS). */
  url: string;
  /** The estimate from the script's length and reading pace, when the page has it. */
  estimatedSeconds?: number | undefined;
  label?: string;
}

export function Recording({ audio, url, estimatedSeconds, label = '录音' }: RecordingView) {
  const seconds = Math.round(audio.durationSeconds);
  return (
    <figure class="recording" style="margin:.5rem 0">
      <figcaption class="muted">
        {label}：{formatDuration(seconds)}
        {estimatedSeconds !== undefined ? `（按语速估计朗读 ${formatDuration(estimatedSeconds)}）` : ''}
        {audio.characters !== undefined ? ` · 合成 ${audio.characters} 字` : ''}
      </figcaption>
      <audio controls preload="metadata" src={url} data-sha256={audio.sha256}>
        <a href={url}>下载录音（MP3）</a>
      </audio>
    </figure>
  );
}
