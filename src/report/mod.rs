//! Reports rendered from the plan with handlebars templates in `templates/`.

pub mod check;
