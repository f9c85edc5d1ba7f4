// pages/editor.js - writing an exercise (new, or one already saved): its
// course, title and introduction, its trace (a stored one, or uploaded here)
// shown beside the form, what students see of the trace, and its questions,
// each key previewed live on the trace.  A save computes every key and shows
// them; a draft may keep keys that fail, a published exercise may not.  The
// server's errors are shown beside the part of the form they name.  Leaving
// with unsaved changes asks first; a saved exercise can be deleted (with its
// submissions, after a second question, when it has some).  Keys are frozen
// at publish: a save that changes the keys of a published exercise with
// submissions shows each change (old key, new key, the submissions it
// touches) and asks before storing them; the old scores stay until a regrade.

import * as api from '../api.js';
import { h, append, plural, uid, slugify } from '../dom.js';
import { TraceView } from '../traceview.js';
import { Uploader, size_text } from '../upload.js';
import { QuestionEditor, KINDS } from '../qeditor.js';
import { key_list } from '../keylist.js';
import { markdown } from '../markdown.js';
import { take_import, report_box } from './import.js';

const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

function field(label, input, hint = null) {
	const id = input.id || uid('ed');
	input.id = id;
	const hint_el = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
	const err = h('p', { class: 'error field-error', id: `${id}-error` });
	input.setAttribute('aria-describedby', hint_el ? `${hint_el.id} ${err.id}` : err.id);
	return { input, err, el: h('div', { class: 'field' }, h('label', { for: id }, label), input, hint_el, err) };
}

function trace_label(t) {
	return `${t.name} — ${plural(t.frames, 'frame')}, ${size_text(t.size)} (${t.sha256.slice(0, 8)})`;
}

/* A list of field names from a textarea: one a line, or separated by spaces or commas. */
function field_list(s) {
	return String(s).split(/[\s,]+/).filter(Boolean);
}

export async function editor_page(ctx) {
	const editing = ctx.params.slug || null;
	const [course_list, trace_list, current] = await Promise.all([
		api.courses(), api.traces(), editing ? api.exercise(editing) : null]);
	if (current && !current.manage)
		throw new api.ApiError(403, 'you do not teach the course of this exercise');
	const admin = ctx.user.role === 'admin';
	const courses = course_list.courses.filter((c) => c.teaching || admin);
	const traces = trace_list.traces;
	/* an INGInious task just imported: its draft, its trace and its report (gone on a reload: never saved) */
	const imported = !editing && ctx.query.get('import') ? take_import() : null;
	const doc = current ? structuredClone(current.exercise) : imported ? imported.exercise : { title: '', intro: '', questions: [] };
	const state = {
		slug: editing,
		course: current ? (await course_of(editing)) : ctx.query.get('course') || '',
		trace: current ? current.trace : imported ? imported.trace.sha256 : ctx.query.get('trace') || '',
		published: current ? !!current.published : false,
	};
	ctx.title(editing ? `Edit ${doc.title || editing}` : 'New exercise');

	/* ---------------------------------------------------------- the trace view */
	let view = null;
	const view_slot = h('div', { class: 'editor-view' });
	const reveal = (frame, f) => (view ? view.reveal(frame, f) : null);
	function show_trace() {
		if (view)
			view.destroy();
		view = null;
		if (!state.trace) {
			view_slot.replaceChildren(h('p', { class: 'muted' }, 'Choose or upload a trace: it shows here, and the keys are computed on it.'));
			return;
		}
		view = new TraceView(api.trace_base(state.trace), { label: 'The exercise\'s trace' });
		view_slot.replaceChildren(view.el);
		view.start(1).catch((e) => view && view.say(`The trace could not be read: ${e.message}`));
	}

	/* ---------------------------------------------------------- the exercise */
	const slug = field('Slug (its address)', h('input', { type: 'text', class: 'ed-slug', autocomplete: 'off', spellcheck: 'false', required: true }),
		'lowercase letters, digits and -; it cannot change once saved');
	slug.input.value = editing || (imported ? imported.slug : '');
	slug.input.readOnly = !!editing;
	let slug_edited = !!editing || !!imported;
	slug.input.addEventListener('input', () => {
		slug_edited = slug.input.value !== '';
	});

	const course = field('Course', h('select', { class: 'ed-course', required: true }));
	append(course.input, h('option', { value: '' }, courses.length ? 'Choose a course…' : 'You teach no course yet'),
		courses.map((c) => h('option', { value: c.slug }, `${c.title} (${c.slug})`)));
	if (state.course && !courses.some((c) => c.slug === state.course))
		course.input.append(h('option', { value: state.course }, state.course));
	course.input.value = state.course;
	course.input.addEventListener('change', () => {
		state.course = course.input.value;
	});

	const title = field('Title', h('input', { type: 'text', class: 'ed-title', required: true, autocomplete: 'off' }));
	title.input.value = doc.title || '';
	title.input.addEventListener('input', () => {
		if (!slug_edited)
			slug.input.value = slugify(title.input.value);
	});

	const intro = field('Introduction', h('textarea', { rows: '4', class: 'ed-intro' }),
		'shown above the trace: paragraphs, **bold**, *italic*, `code`, [links](https://…)');
	intro.input.value = doc.intro || '';
	/* the intro as students will read it, made by the student page's own renderer */
	const intro_preview = h('div', { class: 'intro ed-intro-preview' });
	const preview_intro = () => {
		intro_preview.replaceChildren(intro.input.value.trim() ? markdown(intro.input.value) :
			h('p', { class: 'muted' }, 'No introduction.'));
	};
	intro.input.addEventListener('input', preview_intro);
	preview_intro();
	const preview_head = h('p', { class: 'ed-preview-head', id: uid('ed') }, 'Preview: what students read');
	const intro_box = h('div', { class: 'ed-intro-box' }, intro.el,
		h('section', { class: 'ed-preview', 'aria-labelledby': preview_head.id }, preview_head, intro_preview));

	/* ---------------------------------------------------------- the trace */
	const trace_sel = field('Trace', h('select', { class: 'ed-trace' }));
	function fill_traces() {
		trace_sel.input.replaceChildren();
		append(trace_sel.input, h('option', { value: '' }, traces.length ? 'Choose a trace…' : 'No trace yet: upload one'),
			traces.map((t) => h('option', { value: t.sha256 }, trace_label(t))));
		if (state.trace && !traces.some((t) => t.sha256 === state.trace))
			trace_sel.input.append(h('option', { value: state.trace }, `the exercise's trace (${state.trace.slice(0, 8)})`));
		trace_sel.input.value = state.trace;
	}
	fill_traces();
	function set_trace(sha) {
		state.trace = sha;
		trace_sel.input.value = sha;
		show_trace();
		for (const qe of qes)
			qe.trace_changed();
		show_unsaved();
	}
	trace_sel.input.addEventListener('change', () => set_trace(trace_sel.input.value));
	const uploader = new Uploader({
		label: 'Or upload a capture (pcap or pcapng)',
		on_uploaded: (t) => {
			if (!traces.some((x) => x.sha256 === t.sha256))
				traces.unshift(t);
			fill_traces();
			set_trace(t.sha256);
		},
	});

	/* ---------------------------------------------------------- the view */
	const view_doc = doc.view || {};
	const exclude = field('Fields and protocols left out', h('textarea', { rows: '2', class: 'ed-exclude', spellcheck: 'false' }),
		'field names separated by spaces or lines: tcp.options tls.handshake.random');
	exclude.input.value = (view_doc.exclude || []).join('\n');
	const redact = field('Fields shown without their value', h('textarea', { rows: '2', class: 'ed-redact', spellcheck: 'false' }),
		'field names: ip.src ip.dst');
	redact.input.value = (view_doc.redact || []).join('\n');

	/* ---------------------------------------------------------- the questions */
	const q_list = h('div', { class: 'qe-list' });
	const qes = [];
	const trace_of = () => state.trace || null;
	function add_question(q, { focus = false } = {}) {
		const qe = new QuestionEditor(q, {
			trace: trace_of,
			on_reveal: reveal,
			on_move: (e, step) => {
				const i = qes.indexOf(e);
				const j = i + step;
				if (j < 0 || j >= qes.length)
					return;
				qes.splice(i, 1);
				qes.splice(j, 0, e);
				renumber();
				(step < 0 ? e.up : e.down).focus();
			},
			on_remove: (e) => {
				const i = qes.indexOf(e);
				qes.splice(i, 1);
				e.destroy();
				renumber();
				(qes[Math.min(i, qes.length - 1)]?.id_input || add_kind).focus();
			},
		});
		qes.push(qe);
		renumber();
		if (focus)
			qe.focus();
		return qe;
	}
	function renumber() {
		q_list.replaceChildren(...qes.map((qe) => qe.el));
		qes.forEach((qe, i) => qe.set_number(i + 1, qes.length));
		if (!qes.length)
			q_list.append(h('p', { class: 'muted' }, 'No question yet.'));
	}
	function next_id() {
		const ids = new Set(qes.map((qe) => qe.q.id));
		let n = qes.length + 1;
		while (ids.has(`q${n}`))
			n += 1;
		return `q${n}`;
	}
	const add_kind = h('select', { id: uid('ed'), class: 'ed-add-kind' }, Object.entries(KINDS).map(([k, l]) => h('option', { value: k }, l)));
	const add_button = h('button', {
		type: 'button', class: 'ed-add',
		onclick: () => {
			const kind = add_kind.value;
			const q = { id: next_id(), kind, prompt: '' };
			if (kind === 'choice')
				q.choices = [{ text: '' }, { text: '' }];
			if (kind === 'field')
				q.hide = {};
			add_question(q, { focus: true });
		},
	}, 'Add the question');
	for (const q of doc.questions || [])
		add_question(q);
	if (!qes.length)
		renumber();

	/* ---------------------------------------------------------- saving */
	const keys_box = h('div', { class: 'ed-keys', 'aria-live': 'polite' });
	const summary = h('div', { class: 'error ed-summary', role: 'alert', hidden: true });
	const status = h('p', { class: 'ed-status', role: 'status' });
	const published = h('input', { type: 'checkbox', id: uid('ed'), class: 'ed-published', checked: state.published });
	const save = h('button', { type: 'submit', class: 'primary ed-save' }, 'Save');
	const links = h('p', { class: 'ed-links' });

	/* saved: the keys of what is stored now, or of a save the server refused */
	function show_keys(keys, questions, saved = true) {
		const list = keys && keys.questions ? keys.questions : [];
		keys_box.replaceChildren(
			h('p', { class: 'muted' }, state.published ? 'Students see the questions, never these keys.' :
				'Check every key, then mark the exercise published and save it again.'),
			key_list(list, questions, { on_reveal: reveal }));
		const by_id = new Map(list.map((k) => [k.id, k]));
		for (const qe of qes)
			qe.show_key(by_id.get(qe.q.id) || null, saved ? 'Saved: ' : 'Not saved: ');
	}

	function show_links() {
		links.replaceChildren();
		if (!state.slug)
			return;
		const s = encodeURIComponent(state.slug);
		links.append(h('a', { href: `#/exercises/${s}` }, 'Open it as a page'), ' · ',
			h('a', { href: `#/exercises/${s}/results` }, 'Submissions and statistics'));
	}

	function clear_errors() {
		summary.hidden = true;
		summary.replaceChildren();
		for (const f of [slug, course, title, intro, trace_sel, exclude, redact]) {
			f.err.textContent = '';
			f.input.removeAttribute('aria-invalid');
		}
		for (const qe of qes)
			qe.show_error('');
	}

	/*
	 * Puts the server's message beside the part of the form it names
	 * ("exercise: questions[1] (q2).key: ...", "slug: ...", "the trace: ...")
	 * and in the summary above the button; resolves to the control to focus.
	 */
	function place_error(msg) {
		const m = /^exercise(?:\.yaml)?: (.*)$/s.exec(msg);
		const rest = m ? m[1] : msg;
		let where = null;
		let label = null;
		const q = /^questions\[(\d+)\]/.exec(rest);
		if (q && qes[Number(q[1])]) {
			const qe = qes[Number(q[1])];
			qe.show_error(rest);
			label = `question ${Number(q[1]) + 1}`;
			/* the control the message names: one of the feedback's, or one of the question's own */
			const bad = /\.(key|prompt|id|kind|choices|hide|frames|tolerance|normalize|accept|match|answer|points)\b/.exec(rest);
			const sel = bad ? { key: '.expr-input', prompt: '.qe-prompt', id: '.qe-id', kind: '.qe-kind-select', choices: '.qe-choice-text', hide: '.qe-hide-frame', frames: '.qe-frames', tolerance: '.qe-tolerance', accept: '.qe-accept', match: '.qe-match', answer: '.qe-answer', points: '.qe-points' }[bad[1]] : null;
			where = qe.feedback_control(rest) || (sel && qe.el.querySelector(sel)) || qe.el.querySelector('input, textarea, select');
		} else {
			const simple = [
				[/^(slug\b|there is an exercise)/, slug, 'the slug'],
				[/^(course\b|there is no course|you do not teach the course ')/, course, 'the course'],
				[/^title\b/, title, 'the title'],
				[/^intro\b/, intro, 'the introduction'], [/^view\.exclude/, exclude, 'the fields left out'],
				[/^view\.redact/, redact, 'the fields without value'],
				[/^(trace\b|the trace\b|there is no trace|a trace is named)/, trace_sel, 'the trace'],
			];
			for (const [re, f, what] of simple)
				if (re.test(rest)) {
					f.err.textContent = rest;
					f.input.setAttribute('aria-invalid', 'true');
					where = f.input;
					label = what;
					break;
				}
		}
		const go = where ? h('button', {
			type: 'button', class: 'link', onclick: () => {
				where.scrollIntoView({ block: 'center' });
				where.focus();
			},
		}, `Go to ${label}`) : null;
		summary.replaceChildren();
		append(summary, h('strong', {}, 'Not saved: '), msg, go ? [' ', go] : null);
		summary.hidden = false;
		return where;
	}

	function document_now() {
		const d = structuredClone(doc);
		delete d.capture;            /* the server names it by the stored trace */
		d.title = title.input.value;
		d.intro = intro.input.value;
		const view_now = { ...(doc.view || {}) };
		const ex = field_list(exclude.input.value);
		const re = field_list(redact.input.value);
		if (ex.length)
			view_now.exclude = ex;
		else
			delete view_now.exclude;
		if (re.length)
			view_now.redact = re;
		else
			delete view_now.redact;
		if (Object.keys(view_now).length)
			d.view = view_now;
		else
			delete d.view;
		d.questions = qes.map((qe) => qe.value());
		return d;
	}

	/* a key change that regrades work: each changed question's old and new key, and a question */
	const key_panel = h('div', { class: 'ed-key-changes', role: 'alertdialog', hidden: true, tabindex: '-1' });
	const key_text = (k) => (k === null || k === undefined ? '(no key)' : typeof k === 'string' ? k : JSON.stringify(k));
	function ask_key_changes(data) {
		const changes = data.key_changes || [];
		const questions = document_now().questions.concat(doc.questions || []);
		const prompt = (id) => questions.find((q) => q.id === id)?.prompt || '';
		const go = h('button', { type: 'button', class: 'primary ed-key-confirm', onclick: () => do_save(true) },
			'Save the new keys');
		key_panel.replaceChildren(
			h('h3', {}, `${plural(changes.length, 'key')} of this published exercise would change`),
			h('p', {}, `It has ${plural(data.submissions, 'submission')}. Their scores stay as they were graded ` +
				'until you regrade them from the results page; new submissions are graded on the new keys.'),
			h('div', { class: 'table-wrap' }, h('table', { class: 'key-changes' },
				h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col' }, 'Key now'),
					h('th', { scope: 'col' }, 'New key'), h('th', { scope: 'col' }, 'Submissions it regrades'))),
				h('tbody', {}, changes.map((c) => h('tr', { dataset: { qid: String(c.id) } },
					h('th', { scope: 'row' }, h('code', {}, String(c.id)), ' ', h('span', { class: 'muted' }, prompt(c.id))),
					h('td', { class: 'old-key' }, c.added ? h('span', { class: 'muted' }, '(a new question)') :
						h('code', {}, key_text(c.old_valid || c.old))),
					h('td', { class: 'new-key' }, c.removed ? h('span', { class: 'muted' }, '(question removed)') :
						h('code', {}, key_text(c.new_valid || c.new))),
					h('td', { class: 'num' }, String(c.submissions ?? 0))))))),
			h('div', { class: 'q-actions' }, go, h('button', { type: 'button', onclick: () => {
				key_panel.hidden = true;
				status.textContent = 'Not saved: the keys were kept as they are.';
			} }, 'Cancel')));
		key_panel.hidden = false;
		key_panel.focus();
	}

	async function do_save(confirm = false) {
		clear_errors();
		key_panel.hidden = true;
		status.textContent = '';
		const s = state.slug || slug.input.value.trim();
		if (!state.slug && !SLUG_RE.test(s)) {
			place_error('slug: 1 to 64 lowercase letters, digits and \'-\' (not first), such as smtp-over-tls');
			slug.input.focus();
			return;
		}
		if (!course.input.value) {
			place_error('course: choose the course the exercise belongs to');
			course.input.focus();
			return;
		}
		if (!state.trace) {
			place_error('trace: choose a trace, or upload one');
			trace_sel.input.focus();
			return;
		}
		const d = document_now();
		const body = { slug: s, course: course.input.value, trace: state.trace, exercise: d, published: published.checked };
		const sent = snapshot(body);
		if (confirm)
			body.confirm = true;
		save.disabled = true;
		save.textContent = 'Saving…';
		try {
			const r = state.slug ? await api.update_exercise(state.slug, body) : await api.create_exercise(body);
			if (!state.slug) {
				state.slug = r.slug;
				slug.input.readOnly = true;
				ctx.router.replace(`/exercises/${encodeURIComponent(r.slug)}/edit`);
				heading.textContent = `Edit ${d.title || r.slug}`;
				ctx.title(`Edit ${d.title || r.slug}`);
			}
			state.published = r.published;
			published.checked = r.published;
			saved = sent;
			show_unsaved();
			show_keys(r.keys, d.questions);
			show_links();
			show_delete();
			const bad = (r.keys?.questions || []).filter((k) => k.error).length;
			status.textContent = `Saved${r.published ? ' and published' : ' as a draft'} at ${new Date().toLocaleTimeString()}` +
				(bad ? `: ${plural(bad, 'key')} cannot be computed on this trace.` : '.') +
				(confirm ? ` Keys version ${r.key_version}: earlier submissions keep their scores until you regrade them (Results).` : '');
		} catch (e) {
			if (e instanceof api.ApiError && e.status === 401)
				return;
			if (e instanceof api.ApiError && e.status === 409 && e.data && e.data.key_changes) {
				ask_key_changes(e.data);
				return;
			}
			if (e.data && e.data.keys)
				show_keys(e.data.keys, d.questions, false);
			const where = place_error(e.message);
			if (e.data && e.data.keys)
				for (const k of e.data.keys.questions || [])
					if (k.error)
						qes.find((qe) => qe.q.id === k.id)?.show_error(`No key on this trace: ${k.error}`);
			summary.focus();
			if (where)
				where.scrollIntoView({ block: 'nearest' });
		} finally {
			save.disabled = false;
			save.textContent = 'Save';
		}
	}

	/* ---------------------------------------------------------- unsaved changes */
	/* what a save would send, as text; saved: the same of what is stored */
	function snapshot(body = { slug: state.slug || slug.input.value.trim(), course: course.input.value, trace: state.trace,
		exercise: document_now(), published: published.checked }) {
		return JSON.stringify([body.slug, body.course, body.trace, body.published, body.exercise]);
	}
	let saved = null;                /* set once the page is built */
	const dirty = () => saved !== null && snapshot() !== saved;
	const unsaved = h('span', { class: 'badge ed-unsaved', hidden: true }, 'Unsaved changes');
	/* after the form's own listeners, which change the document */
	const show_unsaved = () => setTimeout(() => {
		unsaved.hidden = !dirty();
	});
	const leave_question = 'This exercise has unsaved changes. Leave without saving them?';
	/* a reload, a closed tab, another site: the browser's own question */
	const on_unload = (e) => {
		if (dirty()) {
			e.preventDefault();
			e.returnValue = leave_question;
		}
	};

	/* ---------------------------------------------------------- deleting */
	const delete_box = h('section', { class: 'ed-part ed-delete' });
	/*
	 * Delete, after a question; when the server refuses because students
	 * submitted answers (409), its message, their CSV, and a second question
	 * to delete the submissions too.
	 */
	function show_delete() {
		delete_box.hidden = !state.slug;
		if (!state.slug)
			return;
		const name = () => title.input.value || state.slug;
		const error = h('p', { class: 'error', role: 'alert' });
		const more = h('div', { class: 'ed-delete-more' });
		/* a question in place of opener: yes runs on_yes, no puts opener back */
		const ask = (opener, question, yes, no, on_yes) => {
			const box = h('p', { class: 'confirm' }, question, ' ');
			const close = () => {
				box.remove();
				opener.hidden = false;
			};
			box.append(
				h('button', { type: 'button', class: 'small danger', onclick: () => { close(); on_yes(); } }, yes), ' ',
				h('button', { type: 'button', class: 'small', onclick: () => { close(); opener.focus(); } }, no));
			opener.hidden = true;
			opener.after(box);
			box.querySelector('button').focus();
		};
		const remove = async (with_submissions) => {
			error.textContent = '';
			try {
				await api.delete_exercise(state.slug, { submissions: with_submissions });
			} catch (e) {
				error.textContent = `Not deleted: ${e.message}`;
				if (e instanceof api.ApiError && e.status === 409 && !with_submissions)
					offer_submissions();
				return;
			}
			/* gone: nothing left to save */
			const c = course.input.value;
			ctx.router.go(c ? `/courses/${encodeURIComponent(c)}` : '/', { force: true });
		};
		const offer_submissions = () => {
			const again = h('button', {
				type: 'button', class: 'danger', onclick: () => ask(again,
					`Delete ${name()} and every submission to it? They cannot be brought back.`,
					'Yes, delete the exercise and its submissions', 'Keep them', () => remove(true)),
			}, 'Delete it with its submissions…');
			more.replaceChildren(h('p', {},
				h('a', { href: api.submissions_csv_url(state.slug), download: '' }, 'Download the submissions (CSV)'),
				' first to keep a copy.'), again);
			again.focus();
		};
		const first = h('button', {
			type: 'button', class: 'danger', onclick: () => ask(first,
				`Delete ${name()}? Its students will not see it any more.`, 'Yes, delete the exercise', 'Keep it', () => remove(false)),
		}, 'Delete the exercise…');
		delete_box.replaceChildren(h('h2', {}, 'Delete this exercise'), first, error, more);
	}

	/* ---------------------------------------------------------- the page */
	const heading = h('h1', {}, editing ? `Edit ${doc.title || editing}` : imported ? 'New exercise from an INGInious task' : 'New exercise');
	let import_note = null;
	if (imported)
		import_note = h('section', { class: 'ed-import', 'aria-label': 'The import' },
			h('p', {}, 'Read the report, choose the course, and save: the exercise is not saved yet.'),
			report_box(imported.report));
	else if (!editing && ctx.query.get('import'))
		import_note = h('p', { class: 'error ed-import' }, 'The imported task is no longer in this page (it was never saved): ',
			h('a', { href: '#/import' }, 'import it again'), '.');
	summary.tabIndex = -1;
	const form = h('form', { class: 'editor', novalidate: true, 'aria-label': 'The exercise' },
		h('section', { class: 'ed-part' }, h('h2', {}, 'The exercise'),
			h('div', { class: 'qe-row' }, course.el, slug.el), title.el, intro_box),
		h('section', { class: 'ed-part' }, h('h2', {}, 'Its trace'), trace_sel.el, uploader.el),
		h('section', { class: 'ed-part' }, h('h2', {}, 'What students see of the trace'), exclude.el, redact.el),
		h('section', { class: 'ed-part' }, h('h2', {}, 'Questions'), q_list,
			h('div', { class: 'ed-add-row' }, h('label', { for: add_kind.id }, 'New question of kind'), add_kind, add_button)),
		h('section', { class: 'ed-part' }, h('h2', {}, 'Keys computed on the trace'), keys_box),
		h('div', { class: 'ed-actions' },
			summary,
			h('div', { class: 'check' }, published, h('label', { for: published.id }, 'Published: the course\'s students see it')),
			h('div', { class: 'q-actions' }, save, unsaved, status),
			key_panel,
			links),
		delete_box);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		do_save();
	});
	for (const ev of ['input', 'change', 'click'])
		form.addEventListener(ev, show_unsaved);

	if (current)
		show_keys(current.keys, doc.questions);
	else
		keys_box.replaceChildren(h('p', { class: 'muted' }, 'Saving computes every question\'s key on the trace; they show here.'));
	show_links();
	show_delete();
	show_trace();

	const crumbs = h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Exercises'), ' / ',
		state.course ? [h('a', { href: `#/courses/${encodeURIComponent(state.course)}` }, state.course), ' / '] : null);
	const page = h('article', { class: 'editor-page' },
		h('header', {}, crumbs, heading, import_note),
		h('div', { class: 'editor-body' }, form, h('aside', { class: 'editor-trace', 'aria-label': 'Trace preview' }, view_slot)));
	/* an import is unsaved work from the start: leaving asks */
	saved = imported ? '' : snapshot();
	window.addEventListener('beforeunload', on_unload);
	page.may_leave = () => !dirty() || window.confirm(leave_question);
	page.destroy = () => {
		window.removeEventListener('beforeunload', on_unload);
		if (view)
			view.destroy();
		uploader.destroy();
		for (const qe of qes)
			qe.destroy();
	};
	page.focus_first = editing ? title.input : courses.length && !state.course ? course.input : title.input;
	return page;
}

/* The course of an exercise, from the list (GET .../exercises gives it). */
async function course_of(slug) {
	const { exercises } = await api.exercises();
	const x = exercises.find((e) => e.slug === slug);
	return x ? x.course : '';
}
