// pages/course.js - one course for its teachers: its exercises, its gradebook
// (sortable, CSV), its students (enrolled one by one or from a CSV file read
// in the browser; the passwords of the accounts this makes are shown once; a
// one-time reset code for a lost password), unenrolling, and for an admin its
// teachers.

import * as api from '../api.js';
import { h, plural, uid } from '../dom.js';
import { reset_code_button } from '../resetcode.js';

/*
 * The names in a CSV or text file of students: the first column of each
 * line (comma, semicolon or tab separated, quotes allowed), a header line
 * ("name", "student", "login", ...) and blank lines skipped, duplicates once.
 */
export function names_from_csv(text) {
	const out = [];
	const seen = new Set();
	const lines = String(text).replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
	lines.forEach((line, i) => {
		let cell;
		const t = line.trim();
		if (!t)
			return;
		if (t[0] === '"') {
			const m = /^"((?:[^"]|"")*)"/.exec(t);
			cell = m ? m[1].replace(/""/g, '"') : t.slice(1);
		} else {
			cell = t.split(/[,;\t]/)[0];
		}
		cell = cell.trim();
		if (!cell || (i === 0 && /^(name|names|student|students|login|user|username|account)$/i.test(cell)))
			return;
		if (!seen.has(cell)) {
			seen.add(cell);
			out.push(cell);
		}
	});
	return out;
}

/* The accounts an enrolment made, with their passwords: shown once, with a note and a CSV to download. */
function passwords_box(enrolled) {
	const made = enrolled.filter((e) => e.password);
	const kept = enrolled.length - made.length;
	const note = h('p', {}, `${plural(enrolled.length, 'student')} enrolled`,
		kept ? ` (${kept} had an account already)` : '', '.');
	if (!made.length)
		return h('div', { class: 'passwords card', role: 'status' }, note);
	const csv = `name,password\r\n${made.map((e) => `${e.name},${e.password}`).join('\r\n')}\r\n`;
	const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
	const box = h('div', { class: 'passwords card', role: 'status' },
		note,
		h('p', { class: 'warn' }, h('strong', {}, `Hand out these ${plural(made.length, 'password')} now:`),
			' they are shown this once and cannot be read again (a student who loses one needs a new account).'),
		h('div', { class: 'table-wrap' }, h('table', { class: 'password-table' },
			h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Student'), h('th', { scope: 'col' }, 'Password'))),
			h('tbody', {}, made.map((e) => h('tr', {}, h('td', {}, String(e.name)), h('td', {}, h('code', { class: 'password' }, String(e.password)))))))),
		h('p', {}, h('a', { href: url, download: 'passwords.csv' }, 'Download them as CSV')));
	box.destroy = () => URL.revokeObjectURL(url);
	return box;
}

/* A score as it reads best: 2, 1.5, 0.33. */
function score(n) {
	const v = Number(n) || 0;
	return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

/* The kinds of people in a gradebook, each a group of rows of its own, and the tag its names carry. */
const KINDS = [
	{ kind: 'student', title: 'Students', tag: null },
	{ kind: 'external', title: 'Graded through the API (an auto-grader\'s students)', tag: ['api', 'API'] },
	{ kind: 'staff', title: 'Staff test accounts (not grades)', tag: ['staff', 'staff'] },
];

/*
 * The course's gradebook (GET /api/v1/courses/SLUG/gradebook): a row per
 * person, a column per exercise with the best score and the attempts, and
 * the total; a click on a column's header sorts by it (again: the other
 * way), within each group of people.  {el, load}: load() reads it again.
 */
function gradebook(slug) {
	const s = encodeURIComponent(slug);
	const el = h('div', { class: 'gradebook-box' });
	let data = null;
	const sort = { key: 'name', dir: 1 };

	const by_name = (a, b) => String(a.name).localeCompare(String(b.name)) || String(a.user).localeCompare(String(b.user));
	function value(row, key) {
		if (key === 'total')
			return Number(row.total) || 0;
		const c = row.cells[key];
		return c ? (c.max > 0 ? c.best / c.max : 0) : -1;     /* never tried: below 0 */
	}
	function compare(a, b) {
		if (sort.key === 'name')
			return by_name(a, b) * sort.dir;
		return (value(a, sort.key) - value(b, sort.key)) * sort.dir || by_name(a, b);
	}

	function header(key, label, extra = null) {
		const th = h('th', { scope: 'col', 'aria-sort': sort.key === key ? (sort.dir > 0 ? 'ascending' : 'descending') : null,
			dataset: { key } },
		h('button', {
			type: 'button', onclick: () => {
				sort.dir = sort.key === key ? -sort.dir : (key === 'name' ? 1 : -1);    /* scores: the best first */
				sort.key = key;
				draw();
				el.querySelector(`th[data-key="${CSS.escape(key)}"] button`)?.focus();
			},
		}, label), extra);
		return th;
	}

	function cell(row, x) {
		const c = row.cells[x.slug];
		if (!c)
			return h('td', { class: 'gb-untried' }, '—', h('span', { class: 'sr-only' }, 'not tried'));
		return h('td', { class: 'num', dataset: { slug: x.slug } }, `${score(c.best)} / ${score(c.max)}`,
			h('span', { class: 'gb-tries' }, plural(c.attempts, 'attempt')));
	}

	function draw() {
		const { exercises, rows } = data;
		if (!rows.length) {
			el.replaceChildren(h('p', { class: 'muted' }, 'Nobody is enrolled, and nobody has tried an exercise yet.'));
			return;
		}
		const total_max = exercises.reduce((t, x) => t + (Number(x.max) || 0), 0);
		const ncols = exercises.length + 2;
		const head = h('tr', {}, header('name', 'Name'),
			exercises.map((x) => header(x.slug, String(x.title ?? x.slug),
				[h('span', { class: 'hint' }, ` / ${score(x.max)}`), x.published === false ? [' ', h('span', { class: 'badge' }, 'draft')] : null])),
			header('total', 'Total', h('span', { class: 'hint' }, ` / ${score(total_max)}`)));
		const groups = KINDS.map((k) => {
			const mine = rows.filter((r) => r.kind === k.kind).sort(compare);
			if (!mine.length)
				return null;
			return h('tbody', { class: 'gb-group', dataset: { kind: k.kind } },
				h('tr', {}, h('th', { colspan: String(ncols), scope: 'colgroup' }, `${k.title}: ${mine.length}`)),
				mine.map((r) => h('tr', { dataset: { user: String(r.user) } },
					h('th', { scope: 'row' }, String(r.name),
						k.tag ? [' ', h('span', { class: `badge ${k.tag[0]}` }, k.tag[1])] : null,
						r.user !== r.name ? [' ', h('span', { class: 'hint' }, String(r.user))] : null),
					exercises.map((x) => cell(r, x)),
					h('td', { class: 'num gb-total' }, score(r.total)))));
		});
		el.replaceChildren(h('div', { class: 'table-wrap' },
			h('table', { class: 'gradebook' }, h('caption', { class: 'sr-only' }, 'Best score and attempts per person and exercise'),
				h('thead', {}, head), groups)));
	}

	async function load() {
		try {
			data = await api.get(`/api/v1/courses/${s}/gradebook`);
			draw();
		} catch (e) {
			el.replaceChildren(h('p', { class: 'error', role: 'alert' }, `The gradebook could not be read: ${e.message}`));
		}
	}

	el.replaceChildren(h('p', { class: 'muted' }, 'Reading the gradebook…'));
	return {
		el: h('div', {},
			h('p', { class: 'gradebook-head' },
				h('span', { class: 'hint' }, 'The best score of each person at each exercise, and their attempts; click a column to sort.'),
				h('a', { class: 'gb-csv', href: `/api/v1/courses/${s}/gradebook.csv`, download: `${slug}-gradebook.csv` }, 'Download CSV')),
			el),
		load,
	};
}

export async function course_page(ctx) {
	const slug = ctx.params.course;
	const [c, ex] = await Promise.all([api.course(slug), api.exercises()]);
	ctx.title(c.title);
	const s = encodeURIComponent(slug);
	const teaching = Array.isArray(c.students);
	const admin = ctx.user.role === 'admin';
	const exercises = ex.exercises.filter((x) => x.course === slug);

	/* ---------------------------------------------------------- exercises */
	const ex_list = exercises.length ? h('ul', { class: 'plain-list course-exercises' }, exercises.map((x) => {
		const xs = encodeURIComponent(x.slug);
		const t = String(x.title ?? x.slug);
		return h('li', {},
			h('a', { href: `#/exercises/${xs}` }, t), ' ',
			h('span', { class: 'muted' }, plural(x.questions, 'question')), ' ',
			x.published === false ? h('span', { class: 'badge' }, 'draft') : h('span', { class: 'badge ok' }, 'published'),
			x.manage ? [' ', h('a', { href: `#/exercises/${xs}/edit`, 'aria-label': `Edit ${t}` }, 'Edit'), ' · ',
				h('a', { href: `#/exercises/${xs}/results`, 'aria-label': `Results of ${t}` }, 'Results')] : null);
	})) : h('p', { class: 'muted' }, 'No exercise yet.');

	/* ---------------------------------------------------------- students */
	const students_box = h('div', { class: 'students' });
	const result_box = h('div', { class: 'enrol-result' });
	let students = c.students || [];

	function draw_students() {
		if (!students.length) {
			students_box.replaceChildren(h('p', { class: 'muted' }, 'No student is enrolled.'));
			return;
		}
		students_box.replaceChildren(h('p', {}, plural(students.length, 'student')),
			h('ul', { class: 'plain-list student-list' }, students.map((st) => {
				const name = String(st.name);
				const confirm = h('span', { class: 'confirm', hidden: true });
				const unenrol = h('button', {
					type: 'button', class: 'small', 'aria-label': `Unenrol ${name}`,
					onclick: () => {
						unenrol.hidden = true;
						confirm.hidden = false;
						confirm.querySelector('button').focus();
					},
				}, 'Unenrol');
				const err = h('span', { class: 'error', role: 'alert', hidden: true });
				confirm.append(`Unenrol ${name}? Their account and submissions stay. `,
					h('button', {
						type: 'button', class: 'small danger', onclick: async () => {
							try {
								await api.unenrol(slug, name);
								students = students.filter((x) => x.name !== st.name);
								draw_students();
								book?.load();
								students_box.querySelector('button')?.focus();
							} catch (e) {
								err.textContent = e.message;
								err.hidden = false;
							}
						},
					}, `Yes, unenrol ${name}`), ' ',
					h('button', {
						type: 'button', class: 'small', onclick: () => {
							confirm.hidden = true;
							unenrol.hidden = false;
							unenrol.focus();
						},
					}, 'Keep'));
				/* a one-time code for a lost password, shown once to hand over (the server says when it may not) */
				const code_box = h('span', { class: 'reset-code', role: 'status' });
				const reset = st.external ? null : reset_code_button(name, {
					clear: () => { err.hidden = true; },
					show: (r, until) => code_box.replaceChildren(' Code ', h('code', {}, String(r.code)), ` (once, until ${until}): `,
						h('a', { href: String(r.link) }, `${location.origin}${r.link}`)),
					fail: (e) => {
						err.textContent = e.message;
						err.hidden = false;
					},
				});
				return h('li', { dataset: { name } }, h('span', { class: 'student-name' }, name),
					st.external ? h('span', { class: 'badge' }, 'external') : null, ' ', unenrol, confirm, ' ', reset, err, code_box);
			})));
	}

	async function enrol(names, error, button) {
		error.textContent = '';
		if (result_box.firstChild && result_box.firstChild.destroy)
			result_box.firstChild.destroy();
		result_box.replaceChildren();
		button.disabled = true;
		try {
			const r = await api.enrol(slug, names);
			result_box.replaceChildren(passwords_box(r.enrolled));
			const fresh = await api.course(slug);
			students = fresh.students || [];
			draw_students();
			book?.load();
			return true;
		} catch (e) {
			error.textContent = `Nobody was enrolled: ${e.message}`;
			return false;
		} finally {
			button.disabled = false;
		}
	}

	/* one by one */
	const one = h('input', { type: 'text', id: uid('enrol'), class: 'enrol-name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
	const one_err = h('p', { class: 'error', role: 'alert' });
	const one_btn = h('button', { type: 'submit', class: 'primary' }, 'Enrol');
	const one_form = h('form', { class: 'enrol-one', novalidate: true, 'aria-label': 'Enrol a student' },
		h('div', { class: 'field' }, h('label', { for: one.id }, 'Student\'s account name'), one,
			h('span', { class: 'hint' }, 'an account is made, with a password shown once, when there is none')),
		one_btn, one_err);
	one_form.addEventListener('submit', async (e) => {
		e.preventDefault();
		const name = one.value.trim();
		if (!name) {
			one_err.textContent = 'Give the student\'s account name.';
			one.focus();
			return;
		}
		if (await enrol([name], one_err, one_btn))
			one.value = '';
	});

	/* from a file */
	const file = h('input', { type: 'file', id: uid('enrol'), class: 'enrol-file', accept: '.csv,.txt,text/csv,text/plain' });
	const file_info = h('p', { class: 'file-info', role: 'status' });
	const file_err = h('p', { class: 'error', role: 'alert' });
	const file_btn = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Enrol them');
	let from_file = [];
	file.addEventListener('change', () => {
		from_file = [];
		file_btn.disabled = true;
		file_err.textContent = '';
		file_info.textContent = '';
		const f = file.files && file.files[0];
		if (!f)
			return;
		if (f.size > 2 * 1024 * 1024) {
			file_err.textContent = `${f.name} is larger than 2 MiB: is it a list of names?`;
			return;
		}
		const reader = new FileReader();
		reader.addEventListener('load', () => {
			from_file = names_from_csv(reader.result);
			if (!from_file.length) {
				file_err.textContent = `${f.name} holds no names (the first column of each line is read).`;
				return;
			}
			const few = from_file.slice(0, 8).join(', ');
			file_info.textContent = `${f.name}: ${plural(from_file.length, 'name')}: ${few}${from_file.length > 8 ? ', …' : ''}`;
			file_btn.textContent = `Enrol these ${plural(from_file.length, 'student')}`;
			file_btn.disabled = false;
		});
		reader.addEventListener('error', () => {
			file_err.textContent = `${f.name} could not be read.`;
		});
		reader.readAsText(f);
	});
	const file_form = h('form', { class: 'enrol-file-form', novalidate: true, 'aria-label': 'Enrol students from a file' },
		h('div', { class: 'field' }, h('label', { for: file.id }, 'A CSV file of account names'), file,
			h('span', { class: 'hint' }, 'one student a line, the name in the first column; a header line is skipped; all or none are enrolled')),
		file_info, file_btn, file_err);
	file_form.addEventListener('submit', async (e) => {
		e.preventDefault();
		if (from_file.length && await enrol(from_file, file_err, file_btn)) {
			from_file = [];
			file.value = '';
			file_info.textContent = '';
			file_btn.textContent = 'Enrol them';
			file_btn.disabled = true;
		}
	});

	/* ---------------------------------------------------------- teachers */
	const teachers = h('p', { class: 'teachers' }, 'Taught by ',
		(c.teachers || []).map((t, i) => [i ? ', ' : '', h('span', {}, String(t.name))]));
	let teacher_form = null;
	if (admin) {
		const tname = h('input', { type: 'text', id: uid('teacher'), autocomplete: 'off', spellcheck: 'false' });
		const terr = h('p', { class: 'error', role: 'alert' });
		teacher_form = h('form', { class: 'teacher-form', novalidate: true, 'aria-label': 'Add a teacher' },
			h('div', { class: 'field' }, h('label', { for: tname.id }, 'Add a teacher (an instructor\'s account)'), tname),
			h('button', { type: 'submit' }, 'Add the teacher'), terr);
		teacher_form.addEventListener('submit', async (e) => {
			e.preventDefault();
			terr.textContent = '';
			try {
				await api.add_teacher(slug, tname.value.trim());
				teachers.append(', ', h('span', {}, tname.value.trim()));
				tname.value = '';
			} catch (err) {
				terr.textContent = err.message;
			}
		});
	}

	const book = teaching ? gradebook(slug) : null;
	if (book)
		book.load();

	draw_students();
	const page = h('article', { class: 'course-page' },
		h('header', {},
			h('p', { class: 'crumbs' }, h('a', { href: '#/courses' }, 'Courses'), ' / '),
			h('h1', {}, String(c.title)),
			h('p', {}, h('code', {}, slug), ' ', c.open ? h('span', { class: 'badge' }, 'open to every account') : null),
			teachers, teacher_form),
		h('section', {},
			h('h2', {}, 'Exercises'), ex_list,
			teaching ? h('p', {}, h('a', { class: 'button-link', href: `#/new-exercise?course=${s}` }, 'New exercise in this course')) : null),
		book ? h('section', { class: 'course-gradebook' }, h('h2', {}, 'Gradebook'), book.el) : null,
		teaching ? h('section', { class: 'course-students' },
			h('h2', {}, 'Students'), students_box,
			h('div', { class: 'enrol-forms' }, one_form, file_form), result_box) : null);
	page.destroy = () => {
		if (result_box.firstChild && result_box.firstChild.destroy)
			result_box.firstChild.destroy();
	};
	return page;
}
