//! Model: the shape Messenger shows an image in, and an image a message names; found by check
//! (literal URLs) and by render (rendered URLs), read by the image check.

use crate::span::Span;

/// The shape an image is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    /// 1.91:1, Messenger's default and the integration guide's recommendation.
    Horizontal,
    /// 1:1, with `image_aspect_ratio: "square"`.
    Square,
}

impl Aspect {
    pub fn from_value(v: &str) -> Aspect {
        if v == "square" {
            Aspect::Square
        } else {
            Aspect::Horizontal
        }
    }

    /// Width over height.
    pub fn ratio(self) -> f64 {
        match self {
            Aspect::Horizontal => 1.91,
            Aspect::Square => 1.0,
        }
    }

    /// The ratio as the guide writes it.
    pub fn name(self) -> &'static str {
        match self {
            Aspect::Horizontal => "1.91:1",
            Aspect::Square => "1:1",
        }
    }
}

/// An image a message shows, and where the template names it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRef {
    pub url: String,
    pub span: Span,
    pub aspect: Aspect,
    /// The data path the URL came from, when rendered with data.
    pub data_path: Option<String>,
}
