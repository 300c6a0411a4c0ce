#include "plinth/features/transform_expression.h"

#include "plinth/features/transform_codegen.h"
#include "plinth/features/transform_eval.h"
#include "plinth/features/transform_parser.h"
#include "plinth/features/transform_program.h"
#include "plinth/features/transform_types.h"

namespace plinth::features {

absl::StatusOr<Expression> Expression::Compile(std::string_view source, const InputTypes& input_types) {
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<AstNode> root, ParseExpression(source));
  auto program = std::make_shared<Program>();
  PLINTH_RETURN_IF_ERROR(CheckTypes(*root, input_types, &program->inputs, &program->input_types));
  program->type = root->type;
  program->text = PrintAst(*root);
  // Escapes and spaces can make the canonical text longer than the source; it must compile
  // again, so it is held to the same limit.
  if (program->text.size() > kMaxSourceBytes) {
    return absl::InvalidArgumentError(StrCat("expression is ", program->text.size(),
                                             " bytes long in canonical form; the limit is ", kMaxSourceBytes));
  }
  GenerateCode(*root, program.get());
  return Expression(std::move(program));
}

ValueType Expression::type() const { return program_->type; }
const std::vector<std::string>& Expression::inputs() const { return program_->inputs; }
const std::vector<ValueType>& Expression::input_types() const { return program_->input_types; }
std::string Expression::ToString() const { return program_->text; }

Value Expression::Evaluate(std::span<const Value> args) const { return RunProgram(*program_, args, nullptr); }

Value Expression::EvaluateSlots(std::span<const Value> slots, std::span<const uint32_t> slot_of_input) const {
  if (slot_of_input.size() < program_->inputs.size()) return Value();  // broken REQUIRES: no reads out of bounds
  return RunProgram(*program_, slots, slot_of_input.data());
}

absl::StatusOr<std::vector<std::string>> ExpressionInputs(std::string_view source) {
  PLINTH_ASSIGN_OR_RETURN(std::unique_ptr<AstNode> root, ParseExpression(source));
  return CollectInputs(*root);
}

}  // namespace plinth::features
