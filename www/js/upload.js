// upload.js - uploading a file (a capture, or a task's archive to import): a
// file input, a progress bar fed by the upload's progress events (a large
// capture takes a while), the server's message when the file is refused (not
// a capture, cut short, too large).

import * as api from './api.js';
import { h, uid, plural } from './dom.js';

/* 1536 -> "1.5 KiB" */
export function size_text(n) {
	if (n < 1024)
		return plural(n, 'byte');
	const units = ['KiB', 'MiB', 'GiB'];
	let v = n;
	let u = -1;
	do {
		v /= 1024;
		u += 1;
	} while (v >= 1024 && u < units.length - 1);
	return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

const CAPTURE = {
	upload: api.upload_trace,
	accept: '.pcap,.pcapng,.cap,.dmp,application/vnd.tcpdump.pcap,application/octet-stream',
	refused: 'The capture was not stored',
	done: (t) => `${t.name}: ${plural(t.frames, 'frame')}, ${size_text(t.size)}` +
		(t.new ? ', stored.' : ', stored already (the same bytes were uploaded before).'),
};

export class Uploader {
	/*
	 * on_uploaded(result) is called with the server's answer once it took
	 * the file: for a capture (the default), the stored trace's metadata
	 * ({sha256, name, size, frames, created, new}).  kind replaces what is
	 * uploaded: {upload(file, opts), accept, refused (the error's first
	 * words), done(result) (the status line)}; on_refused(error) sees the
	 * server's refusal.  The upload starts as soon as a file is chosen;
	 * choosing another one cancels it.
	 */
	constructor({ on_uploaded, on_refused = null, label = 'Capture file (pcap or pcapng)', kind = CAPTURE } = {}) {
		this.on_uploaded = on_uploaded;
		this.on_refused = on_refused;
		this.kind = kind;
		this.ctl = null;
		const id = uid('upload');
		this.input = h('input', { type: 'file', id, class: 'upload-input', accept: kind.accept });
		this.bar = h('progress', { max: '100', value: '0', id: `${id}-bar`, 'aria-labelledby': `${id}-bar-label` });
		this.percent = h('span', { class: 'upload-percent', id: `${id}-bar-label` }, 'Upload: 0%');
		this.progress = h('div', { class: 'upload-progress', hidden: true }, this.percent, this.bar);
		this.status = h('p', { class: 'upload-status', role: 'status' });
		this.error = h('p', { class: 'error', role: 'alert' });
		this.cancel = h('button', { type: 'button', class: 'small', hidden: true, onclick: () => this.ctl && this.ctl.abort() }, 'Cancel the upload');
		this.el = h('div', { class: 'uploader' },
			h('div', { class: 'field' }, h('label', { for: id }, label), this.input),
			this.progress, this.cancel, this.status, this.error);
		this.input.addEventListener('change', () => {
			const f = this.input.files && this.input.files[0];
			if (f)
				this.start(f);
		});
	}

	destroy() {
		if (this.ctl)
			this.ctl.abort();
	}

	show_progress(sent, total) {
		const pct = total > 0 ? Math.min(100, Math.floor((sent * 100) / total)) : 100;
		this.bar.value = pct;
		this.percent.textContent = total > 64 * 1024 ? `Upload: ${pct}% (${size_text(sent)} of ${size_text(total)})` : `Upload: ${pct}%`;
	}

	async start(file) {
		if (this.ctl)
			this.ctl.abort();
		const ctl = new AbortController();
		this.ctl = ctl;
		this.error.textContent = '';
		this.status.textContent = `Uploading ${file.name} (${size_text(file.size)})…`;
		this.progress.hidden = false;
		this.cancel.hidden = false;
		this.show_progress(0, file.size);
		let result;
		try {
			result = await this.kind.upload(file, {
				signal: ctl.signal,
				on_progress: (sent, total) => {
					if (this.ctl !== ctl)
						return;
					this.show_progress(sent, total);
					if (sent >= total)
						this.status.textContent = `${file.name} is sent; the server is reading it…`;
				},
			});
		} catch (e) {
			if (this.ctl !== ctl)
				return;
			this.ctl = null;
			this.cancel.hidden = true;
			if (e.name === 'AbortError') {
				this.status.textContent = 'The upload was cancelled.';
				return;
			}
			this.status.textContent = '';
			this.error.textContent = `${this.kind.refused}: ${e.message}`;
			if (this.on_refused)
				this.on_refused(e);
			return;
		}
		if (this.ctl !== ctl)
			return;
		this.ctl = null;
		this.cancel.hidden = true;
		this.show_progress(file.size, file.size);
		this.status.textContent = this.kind.done(result);
		if (this.on_uploaded)
			this.on_uploaded(result);
	}
}
