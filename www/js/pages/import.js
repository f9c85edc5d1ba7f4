// pages/import.js - an INGInious task brought in: its folder, zipped or
// tarred, is uploaded and imported by the server (POST /api/v1/import, the
// same import as `tracequiz import inginious`), then the editor opens the
// exercise as a draft beside the import's report.  Nothing but the trace is
// stored until the instructor saves; an archive the server refuses shows its
// message and what the report had said so far.

import { h } from '../dom.js';
import * as api from '../api.js';
import { Uploader } from '../upload.js';
import { markdown_doc } from '../markdown.js';

/* The last import, handed to the editor once (a reload of the editor loses it: it was never saved). */
let pending = null;

export function take_import() {
	const p = pending;
	pending = null;
	return p;
}

const TASK = {
	upload: api.import_task,
	accept: '.zip,.tar,.tgz,.tar.gz,.tar.bz2,.tar.xz,application/zip,application/x-tar,application/gzip',
	refused: 'The task was not imported',
	done: (r) => `Imported: ${r.exercise.title}. The editor opens it…`,
};

/* The report's Markdown, headings and all, in a box. */
export function report_box(report, { open = true } = {}) {
	return h('details', { class: 'import-report', open },
		h('summary', {}, 'Import report: what was mapped, each key, and what needs you'),
		h('div', { class: 'import-report-body' }, markdown_doc(report)));
}

export async function import_page(ctx) {
	ctx.title('Import an INGInious task');
	const refused = h('div', { class: 'import-refused' });
	const uploader = new Uploader({
		label: 'The task\'s folder as a zip or a tar.gz',
		kind: TASK,
		on_uploaded: (r) => {
			pending = r;
			const q = new URLSearchParams({ import: '1' });
			if (ctx.query.get('course'))
				q.set('course', ctx.query.get('course'));
			ctx.router.go(`/new-exercise?${q}`);
		},
		on_refused: (e) => {
			refused.replaceChildren(e.data && e.data.report ? report_box(e.data.report) : '');
		},
	});
	uploader.input.addEventListener('change', () => refused.replaceChildren());
	const page = h('article', { class: 'import-page' },
		h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Exercises'), ' / '),
		h('h1', {}, 'Import an INGInious task'),
		h('p', {}, 'Zip the task\'s folder (its ', h('code', {}, 'task.yaml'), ', the capture its trace problems show, and ',
			h('code', {}, 'public/'), ') and upload it here. The task becomes an exercise you review in the editor before saving: ',
			'hidden fields become field questions keyed on the trace, shuffled frames order questions, multiple-choice ',
			'problems choice questions, and typed answers are checked against the trace.'),
		h('p', { class: 'muted' }, 'Nothing in the task is run. Its capture is stored with your traces; the exercise is only saved when you save it.'),
		uploader.el, refused);
	page.destroy = () => uploader.destroy();
	page.focus_first = uploader.input;
	return page;
}
